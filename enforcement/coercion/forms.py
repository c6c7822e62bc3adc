"""Forms of the coercion pages: registering a measure or an enforcement, one form per action, filters.

The action forms also validate the API's action requests (``enforcement.coercion.api``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enforcement.access import scope_for
from enforcement.cases.forms import OfficerChoiceField, agency_officers
from enforcement.cases.models import Case, PartyKind
from enforcement.coercion.choices import (
    ConversionKind,
    CourtOutcome,
    ExecutionConclusion,
    ExecutionStatus,
    MeasureKind,
    MeasureObject,
    MeasureStatus,
    ReleaseReason,
    SignatureStatus,
    WarningLevel,
)
from enforcement.coercion.services import can_register_for
from enforcement.forms import BootstrapFormMixin, DateInput, DateTimeInput
from enforcement.models.agencies import Agency

User = get_user_model()
HANDLING_KINDS = ("town", "subdistrict", "squadron_stationed", "squadron_direct", "brigade", "bureau")
ITEM_COLUMNS = ("name", "specification", "quantity", "unit", "custody_place", "keeper")


def today():
    return timezone.localdate()


def acting_agencies(user):
    scope = scope_for(user)
    agencies = Agency.objects.active().filter(kind__in=HANDLING_KINDS)
    if not (user.is_superuser or scope.county_wide):
        agencies = agencies.filter(pk__in=scope.agency_ids)
    allowed = [a.pk for a in agencies if can_register_for(user, a)]
    return Agency.objects.filter(pk__in=allowed).order_by("sort_order", "code")


def parse_items(text: str) -> list[dict]:
    """One item per line: 名称|规格|数量|单位|保管地点|保管人 (only the name is required)."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        rows.append(dict(zip(ITEM_COLUMNS, cells + [""] * (len(ITEM_COLUMNS) - len(cells)), strict=False)))
    return rows


class _AgencyForm(BootstrapFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("实施机关"), queryset=Agency.objects.none())
    case = forms.ModelChoiceField(label=_("关联案件"), queryset=Case.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = acting_agencies(user)
        if self.fields["agency"].queryset.count() == 1:
            self.fields["agency"].initial = self.fields["agency"].queryset.first().pk
        self.fields["case"].queryset = Case.objects.visible_to(user).order_by("-created_at")


class MeasureForm(_AgencyForm):
    kind = forms.ChoiceField(label=_("措施种类"), choices=MeasureKind.choices)
    object_kind = forms.ChoiceField(label=_("对象"), choices=MeasureObject.choices, initial=MeasureObject.PROPERTY)
    is_emergency = forms.BooleanField(label=_("情况紧急，当场实施（二十四小时内报告负责人并补办批准）"), required=False)
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices)
    party_name = forms.CharField(label=_("当事人"), max_length=200)
    party_id_number = forms.CharField(label=_("身份证件号码/统一社会信用代码"), max_length=40, required=False)
    party_address = forms.CharField(label=_("住所/地址"), max_length=300, required=False)
    party_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    reasons = forms.CharField(label=_("查封、扣押的理由"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("查封、扣押的依据"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("查封、扣押地点"), max_length=300)
    period_days = forms.IntegerField(
        label=_("期限（日）"), min_value=1, initial=30, help_text=_("不得超过三十日（《行政强制法》第二十五条）")
    )
    items = forms.CharField(
        label=_("查封、扣押清单"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：名称|规格|数量|单位|保管地点|保管人"),
    )

    def clean_items(self) -> list[dict]:
        return parse_items(self.cleaned_data["items"])


class ExecutionForm(_AgencyForm):
    decision_number = forms.CharField(
        label=_("行政决定文号"), max_length=80, required=False, help_text=_("选择关联案件时可不填，取自案件")
    )
    decision_served_on = forms.DateField(label=_("行政决定送达日期"), widget=DateInput(), required=False)
    obligation = forms.CharField(label=_("当事人应当履行的义务"), widget=forms.Textarea(attrs={"rows": 2}))
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=[("", "---"), *PartyKind.choices], required=False)
    party_name = forms.CharField(label=_("当事人"), max_length=200, required=False)
    party_id_number = forms.CharField(label=_("身份证件号码/统一社会信用代码"), max_length=40, required=False)
    party_address = forms.CharField(label=_("住所/地址"), max_length=300, required=False)


# --- actions --------------------------------------------------------------------------------------


class ActionForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, obj=None, user=None, **kwargs):
        self.obj = obj
        self.user = user
        super().__init__(*args, **kwargs)


class ApproveForm(ActionForm):
    at = forms.DateTimeField(label=_("批准时间"), widget=DateTimeInput(), required=False, help_text=_("不填为现在"))


class EnforceForm(ActionForm):
    taken_at = forms.DateTimeField(label=_("实施时间"), widget=DateTimeInput())
    officers = OfficerChoiceField(
        label=_("执法人员（不少于两人）"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    onsite_record = forms.CharField(label=_("现场笔录"), widget=forms.Textarea(attrs={"rows": 4}))
    signature = forms.ChoiceField(label=_("签名情况"), choices=SignatureStatus.choices)
    witness = forms.CharField(label=_("见证人"), max_length=100, required=False)
    party_notified = forms.BooleanField(label=_("已通知当事人到场"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["officers"].queryset = agency_officers(self.obj.agency)
        if self.user is not None:
            self.fields["officers"].initial = [self.user.pk]


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, help_text=_("只能延长一次，不得超过三十日"))
    reason = forms.CharField(label=_("延长理由"), widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("批准日期"), widget=DateInput(), initial=today)


class ReleaseForm(ActionForm):
    reason = forms.ChoiceField(label=_("解除理由"), choices=ReleaseReason.choices)
    note = forms.CharField(label=_("解除说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    returned_to = forms.CharField(label=_("退还对象"), max_length=200, required=False, help_text=_("不填为当事人"))
    on = forms.DateField(label=_("解除日期"), widget=DateInput(), initial=today)


class ConvertForm(ActionForm):
    conversion = forms.ChoiceField(label=_("处理方式"), choices=ConversionKind.choices)
    note = forms.CharField(label=_("处理决定"), widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("决定日期"), widget=DateInput(), initial=today)


class RemindForm(ActionForm):
    issued_on = forms.DateField(label=_("催告日期"), widget=DateInput(), required=False)
    served_on = forms.DateField(label=_("催告书送达日期"), widget=DateInput(), initial=today)
    perform_by = forms.DateField(label=_("履行期限"), widget=DateInput())


class ApplyForm(ActionForm):
    court_name = forms.CharField(label=_("人民法院"), max_length=200)
    on = forms.DateField(label=_("申请日期"), widget=DateInput(), initial=today)


class CourtRulingForm(ActionForm):
    outcome = forms.ChoiceField(
        label=_("法院裁定"), choices=[c for c in CourtOutcome.choices if c[0] != CourtOutcome.PENDING]
    )
    decided_on = forms.DateField(label=_("裁定日期"), widget=DateInput(), initial=today)
    reference = forms.CharField(label=_("法院案号"), max_length=100, required=False)


class ConcludeForm(ActionForm):
    conclusion = forms.ChoiceField(label=_("终结方式"), choices=ExecutionConclusion.choices)
    on = forms.DateField(label=_("终结日期"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


# --- filters --------------------------------------------------------------------------------------


class MeasureFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False)
    kind = forms.ChoiceField(label=_("措施种类"), required=False)
    warning = forms.ChoiceField(label=_("预警"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, statuses=MeasureStatus.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext("编号、当事人或地点")
        self.fields["status"].choices = [("", _("全部状态")), *statuses]
        self.fields["kind"].choices = [("", _("全部种类")), *MeasureKind.choices]
        self.fields["warning"].choices = [
            ("", _("全部")),
            ("any", _("黄灯或红灯")),
            *[c for c in WarningLevel.choices if c[0] != WarningLevel.NONE],
        ]

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class ExecutionFilterForm(MeasureFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, statuses=ExecutionStatus.choices, **kwargs)
        del self.fields["kind"]
        del self.fields["year"]
