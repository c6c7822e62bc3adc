"""Forms of the inspection pages; the action forms also validate the API's action requests."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.access import scope_for
from enforcement.cases.choices import PartyKind
from enforcement.catalogue.models import Domain, Matter, PowerType
from enforcement.forms import BootstrapFormMixin, DateInput, DateTimeInput
from enforcement.inspections import permissions as perms
from enforcement.inspections.choices import (
    CreditLevel,
    FindingResult,
    ObjectKind,
    Outcome,
    PlanStatus,
    RiskLevel,
    SignatureStatus,
)
from enforcement.inspections.models import InspectionObject, JointScenario
from enforcement.models.agencies import Agency, Membership
from enforcement.models.grids import Grid

User = get_user_model()


def _today():
    return timezone.localdate()


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def inspection_matters():
    return Matter.objects.filter(power_type=PowerType.INSPECTION).order_by("code")


def inspectors_of(agency_ids):
    ids = Membership.objects.active().filter(agency_id__in=agency_ids, role__in=perms.INSPECTOR_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _own_agencies(user, check):
    scope = scope_for(user)
    qs = Agency.objects.active()
    if not (user.is_superuser or scope.county_wide):
        qs = qs.filter(pk__in=scope.agency_ids)
    return Agency.objects.filter(pk__in=[a.pk for a in qs if check(user, a.pk)]).order_by("sort_order", "code")


# --- the object directory ------------------------------------------------------------------------


class ObjectForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = InspectionObject
        fields = [
            "kind",
            "name",
            "identifier",
            "address",
            "township",
            "grid",
            "domains",
            "matters",
            "risk_level",
            "credit_level",
            "contact_name",
            "contact_phone",
            "conflicted_officers",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        townships = Agency.objects.townships().active()
        if not perms.sees_all_objects(user):
            townships = townships.filter(pk__in=scope.township_ids)
        self.fields["township"].queryset = townships.order_by("sort_order", "code")
        self.fields["grid"].queryset = Grid.objects.visible_to(user).order_by("code")
        self.fields["matters"].queryset = inspection_matters()
        self.fields["domains"].queryset = Domain.objects.filter(is_active=True)
        self.fields["conflicted_officers"].queryset = User.objects.filter(
            is_active=True, certificates__isnull=False
        ).distinct()
        for name in ("domains", "matters", "conflicted_officers"):
            self.fields[name].widget.attrs["size"] = 6


class ObjectFilterForm(forms.Form):
    q = forms.CharField(label=_("名称/代码"), required=False)
    kind = forms.ChoiceField(label=_("对象类型"), choices=[("", _("全部"))] + ObjectKind.choices, required=False)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=[("", _("全部"))] + RiskLevel.choices, required=False)
    credit_level = forms.ChoiceField(
        label=_("信用等级"), choices=[("", _("全部"))] + CreditLevel.choices, required=False
    )
    township = forms.ModelChoiceField(label=_("乡镇/街道"), queryset=Agency.objects.townships(), required=False)


class ObjectImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，CSV 可为 GBK 或 UTF-8 编码）"))


# --- plans ---------------------------------------------------------------------------------------


class PlanForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("计划名称"), max_length=200)
    lead_agency = forms.ModelChoiceField(label=_("牵头单位"), queryset=Agency.objects.none())
    agencies = forms.ModelMultipleChoiceField(
        label=_("联合抽查的其他单位"), queryset=Agency.objects.none(), required=False
    )
    matters = forms.ModelMultipleChoiceField(label=_("抽查事项（行政检查）"), queryset=Matter.objects.none())
    townships = forms.ModelMultipleChoiceField(
        label=_("抽查范围（乡镇/街道，空为全县）"), queryset=Agency.objects.none(), required=False
    )
    period_start = forms.DateField(label=_("检查期起"), widget=DateInput())
    period_end = forms.DateField(label=_("检查期止"), widget=DateInput())
    sample_count = forms.IntegerField(label=_("抽取对象数"), min_value=1, required=False)
    sample_share = forms.DecimalField(
        label=_("一般对象抽取比例（%）"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    priority_share = forms.DecimalField(
        label=_("高风险/低信用对象抽取比例（%）"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    officers_per_object = forms.IntegerField(label=_("每个对象的检查人员数"), min_value=2, initial=2)
    officers = UserChoiceField(
        label=_("检查人员库（空为参与单位全部持证人员）"), queryset=User.objects.none(), required=False
    )
    publish_within_workdays = forms.IntegerField(
        label=_("结果公示期限（工作日）"), min_value=1, max_value=20, initial=20
    )
    seed = forms.IntegerField(label=_("随机种子（空则自动生成）"), required=False, min_value=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = _own_agencies(user, perms.can_plan)
        self.fields["agencies"].queryset = Agency.objects.active().order_by("sort_order", "code")
        self.fields["matters"].queryset = inspection_matters()
        self.fields["townships"].queryset = Agency.objects.townships().active().order_by("sort_order", "code")
        self.fields["officers"].queryset = inspectors_of(Agency.objects.active().values("pk"))
        for name in ("agencies", "matters", "townships", "officers"):
            self.fields[name].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        if not data.get("sample_count") and data.get("sample_share") is None:
            self.add_error("sample_count", _("请填写抽取对象数或抽取比例。"))
        if data.get("seed") is None:
            data.pop("seed", None)
        return data


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部"))] + PlanStatus.choices, required=False)
    year = forms.IntegerField(label=_("年度"), required=False)


# --- records -------------------------------------------------------------------------------------


class RecordForm(BootstrapFormMixin, forms.Form):
    """The field page's record form; findings come as ``finding-<matter id>-<agency id>`` result/description pairs."""

    agency = forms.ModelChoiceField(label=_("检查单位"), queryset=Agency.objects.none())
    place = forms.CharField(label=_("检查地点"), max_length=300)
    started_at = forms.DateTimeField(label=_("检查开始时间"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("检查结束时间"), widget=DateTimeInput(), required=False)
    officers = UserChoiceField(
        label=_("检查人员（不少于两名，持有效执法证）"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    matters = forms.ModelMultipleChoiceField(
        label=_("检查事项"), queryset=Matter.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    problem_matters = forms.ModelMultipleChoiceField(
        label=_("发现问题的事项"), queryset=Matter.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    facts = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    present_person = forms.CharField(label=_("在场人员"), max_length=100, required=False)
    signature_status = forms.ChoiceField(
        label=_("当事人签名"), choices=SignatureStatus.choices, widget=forms.RadioSelect
    )
    signature_note = forms.CharField(label=_("签名情况说明"), max_length=200, required=False)
    outcome = forms.ChoiceField(label=_("检查结果"), choices=Outcome.choices, widget=forms.RadioSelect)

    def __init__(self, *args, user=None, obj=None, task=None, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj, self.task, self.visit = obj, task, visit
        agencies = _own_agencies(user, perms.can_inspect)
        if task is not None:
            agencies = Agency.objects.filter(pk=task.agency_id)
        elif visit is not None:
            agencies = Agency.objects.filter(pk=visit.lead_agency_id)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first().pk
        agency_ids = (
            list(visit.agencies.values_list("pk", flat=True)) if visit else list(agencies.values_list("pk", flat=True))
        )
        self.fields["officers"].queryset = inspectors_of(agency_ids)
        matters = inspection_matters()
        if visit is not None and visit.scenario_id:
            matters = visit.scenario.matters.order_by("code")
        elif task is not None:
            matters = task.plan.matters.order_by("code")
        elif obj is not None and obj.matters.exists():
            matters = obj.matters.order_by("code")
        self.fields["matters"].queryset = matters
        self.fields["problem_matters"].queryset = matters
        if not self.is_bound:
            self.fields["matters"].initial = list(matters.values_list("pk", flat=True))
            self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
            if obj is not None:
                self.fields["place"].initial = obj.address
            if task is not None:
                self.fields["officers"].initial = list(task.officers.values_list("pk", flat=True))
            elif user is not None:
                self.fields["officers"].initial = [user.pk]

    def clean(self):
        data = super().clean()
        problems = set(data.get("problem_matters") or [])
        if problems - set(data.get("matters") or []):
            self.add_error("problem_matters", _("发现问题的事项必须是检查事项之一。"))
        return data

    def findings(self, joint_agencies=None):
        """FindingInput rows: each matter by the agency whose matter it is in a joint visit, else the record's."""
        from enforcement.inspections.services import FindingInput

        data = self.cleaned_data
        problems = set(data.get("problem_matters") or [])
        agency = data["agency"]
        by_origin = {a.pk: a for a in (joint_agencies or [])}
        out = []
        for m in data["matters"]:
            owner = (
                by_origin.get(m.origin_department_id)
                or (by_origin.get(m.supervising_department_id) if by_origin else None)
                or agency
            )
            out.append(
                FindingInput(
                    matter=m,
                    agency=owner,
                    result=FindingResult.PROBLEM if m in problems else FindingResult.OK,
                    description=self.data.get(f"finding-{m.pk}", "")[:2000],
                )
            )
        return out


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("照片或文件"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("对象/编号"), required=False)
    outcome = forms.ChoiceField(label=_("检查结果"), choices=[("", _("全部"))] + Outcome.choices, required=False)
    date_from = forms.DateField(label=_("检查日期起"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("检查日期止"), required=False, widget=DateInput())


# --- record actions ------------------------------------------------------------------------------


class RecordActionForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, record=None, user=None, **kwargs):
        self.record = record
        self.user = user
        super().__init__(*args, **kwargs)


class NoProblemForm(RecordActionForm):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CaseLeadForm(RecordActionForm):
    matter = forms.ModelChoiceField(label=_("执法事项（行政处罚）"), queryset=Matter.objects.none())
    title = forms.CharField(label=_("案由"), max_length=300)
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices)
    party_legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = Matter.objects.in_force().filter(power_type=PowerType.PENALTY).order_by("code")
        if self.record is not None and not self.is_bound:
            self.fields["party_kind"].initial = (
                PartyKind.INDIVIDUAL if self.record.object.is_individual else PartyKind.ORGANISATION
            )


# --- joint visits --------------------------------------------------------------------------------


class JointVisitForm(BootstrapFormMixin, forms.Form):
    object = forms.ModelChoiceField(label=_("检查对象"), queryset=InspectionObject.objects.none())
    scenario = forms.ModelChoiceField(label=_("联合检查场景"), queryset=JointScenario.objects.none(), required=False)
    lead_agency = forms.ModelChoiceField(label=_("牵头单位"), queryset=Agency.objects.none())
    agencies = forms.ModelMultipleChoiceField(label=_("参与单位"), queryset=Agency.objects.none())
    planned_on = forms.DateField(label=_("计划日期"), widget=DateInput(), initial=_today)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object"].queryset = InspectionObject.objects.visible_to(user).active().order_by("name")
        self.fields["scenario"].queryset = JointScenario.objects.filter(is_active=True)
        self.fields["lead_agency"].queryset = _own_agencies(user, perms.can_plan)
        self.fields["agencies"].queryset = Agency.objects.active().order_by("sort_order", "code")
        self.fields["agencies"].widget.attrs["size"] = 6
