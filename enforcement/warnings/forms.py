"""Forms of the warning pages; the action forms also validate the API's action requests."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.access import scope_for
from enforcement.cases.choices import PartyKind, WarningLevel
from enforcement.catalogue.models import Matter
from enforcement.forms import BootstrapFormMixin, DateInput
from enforcement.inspections.forms import RecordActionForm, UserChoiceField, inspectors_of
from enforcement.inspections.models import InspectionObject
from enforcement.models.agencies import Agency
from enforcement.warnings import permissions as perms
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningMatter

User = get_user_model()


def _today():
    return timezone.localdate()


def listed_matters():
    return Matter.objects.filter(warning_entry__is_active=True).order_by("code")


def condition_choices() -> list[tuple[str, str]]:
    """Every condition of the active warning list (the service checks those of the chosen matter)."""
    seen: dict[str, None] = {}
    for entry in WarningMatter.objects.filter(is_active=True).only("conditions"):
        for c in entry.condition_list:
            seen.setdefault(c, None)
    return [(c, c) for c in seen]


class MatterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class _WarningFields(forms.Form):
    """The fields a warning needs whoever issues it."""

    matter = MatterChoiceField(label=_("执法事项（本县预警执法清单）"), queryset=Matter.objects.none())
    kind = forms.ChoiceField(
        label=_("方式"), choices=WarningKind.choices, initial=WarningKind.NOTICE, widget=forms.RadioSelect
    )
    facts = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.MultipleChoiceField(
        label=_("确认适用条件"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    party_legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False)
    commitment_text = forms.CharField(
        label=_("承诺内容（告知承诺）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    commitment_file = forms.FileField(label=_("当事人签名的承诺书（告知承诺）"), required=False)

    def _setup(self):
        self.fields["matter"].queryset = listed_matters()
        self.fields["conditions"].choices = condition_choices()


class RecordWarningForm(_WarningFields, RecordActionForm):
    """The record action "issue a warning"."""

    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup()
        if self.record is not None and not self.is_bound:
            from enforcement.warnings.services import record_default_facts

            self.fields["facts"].initial = record_default_facts(self.record)
            self.fields["party_legal_rep"].initial = self.record.object.contact_name


class WarningIssueForm(BootstrapFormMixin, _WarningFields):
    """A warning issued on its own (not from an inspection record)."""

    agency = forms.ModelChoiceField(label=_("执法单位"), queryset=Agency.objects.none())
    object = forms.ModelChoiceField(
        label=_("检查对象（名录库内的当事人）"), queryset=InspectionObject.objects.none(), required=False
    )
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices, required=False)
    party_name = forms.CharField(label=_("当事人（名录库外）"), max_length=200, required=False)
    party_id_number = forms.CharField(label=_("统一社会信用代码/身份证号"), max_length=40, required=False)
    party_address = forms.CharField(label=_("地址"), max_length=300, required=False)
    party_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    officers = UserChoiceField(
        label=_("执法人员（不少于两名）"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    issued_on = forms.DateField(label=_("出具日期"), widget=DateInput(), initial=_today)

    field_order = [
        "agency",
        "object",
        "party_kind",
        "party_name",
        "party_id_number",
        "party_address",
        "party_phone",
        "party_legal_rep",
        "matter",
        "facts",
        "conditions",
        "kind",
        "commitment_text",
        "commitment_file",
        "officers",
        "issued_on",
    ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup()
        scope = scope_for(user)
        agencies = Agency.objects.active()
        if not (user.is_superuser or scope.county_wide):
            agencies = agencies.filter(pk__in=scope.agency_ids)
        ids = [a.pk for a in agencies if perms.can_issue(user, a.pk)]
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=ids).order_by("sort_order", "code")
        self.fields["object"].queryset = InspectionObject.objects.visible_to(user).active().order_by("name")
        self.fields["officers"].queryset = inspectors_of(ids)

    def clean(self):
        data = super().clean()
        if not data.get("object") and not (data.get("party_name") or "").strip():
            self.add_error("party_name", _("请选择检查对象或填写当事人。"))
        if not data.get("object") and not data.get("party_kind"):
            self.add_error("party_kind", _("请选择当事人类型。"))
        return data


class CorrectedForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(
        label=_("复查日期"), widget=DateInput(), initial=_today, required=False, help_text=_("留空为今天。")
    )
    note = forms.CharField(label=_("复查情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, warning=None, user=None, **kwargs):
        self.warning = warning
        super().__init__(*args, **kwargs)


class ToCaseForm(CorrectedForm):
    title = forms.CharField(label=_("案由（可留空自动生成）"), max_length=300, required=False)
    party_legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.warning is not None and not self.is_bound:
            self.fields["party_legal_rep"].initial = self.warning.party_legal_rep


class WarningFilterForm(forms.Form):
    q = forms.CharField(label=_("当事人/编号"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + WarningStatus.choices, required=False)
    level = forms.ChoiceField(label=_("亮灯"), choices=[("", _("全部"))] + WarningLevel.choices, required=False)
    date_from = forms.DateField(label=_("出具日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("出具日期止"), required=False, widget=DateInput())
