"""Forms of the case pages: the lead, one form per step, evidence, filters.

The same step forms validate the API's action requests (``enforcement.cases.api``),
so a clerk and another system meet the same field rules; the services then
check the law.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enforcement.access import scope_for
from enforcement.cases.models import (
    AppealKind,
    AppealOutcome,
    CaseSource,
    CaseStatus,
    EvidenceKind,
    ExecutionMethod,
    Outcome,
    PartyKind,
    Procedure,
    ServiceMethod,
    StepDecision,
    TransferTarget,
    WarningLevel,
)
from enforcement.cases.permissions import HANDLING_ROLES
from enforcement.cases.services.lifecycle import can_register_for
from enforcement.catalogue.models import DiscretionTier, Matter, PenaltyKind, PowerType
from enforcement.forms import BootstrapFormMixin, DateInput, DateTimeInput
from enforcement.models.agencies import Agency, Membership

User = get_user_model()


def today():
    return timezone.localdate()


def _user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class CaseStepForm(BootstrapFormMixin, forms.Form):
    """A step form knows its case and its user (choices depend on both)."""

    def __init__(self, *args, case=None, user=None, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)


def agency_officers(agency: Agency):
    """Members of ``agency`` with a handling role (the officers a case may be assigned to)."""
    ids = Membership.objects.active().filter(agency=agency, role__in=HANDLING_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


# --- lead ----------------------------------------------------------------------------------


class LeadForm(BootstrapFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("办案机构"), queryset=Agency.objects.none())
    procedure = forms.ChoiceField(label=_("程序"), choices=Procedure.choices, initial=Procedure.ORDINARY)
    matter = forms.ModelChoiceField(label=_("执法事项"), queryset=Matter.objects.none())
    township = forms.ModelChoiceField(label=_("案发乡镇/街道"), queryset=Agency.objects.none(), required=False,
                                      help_text=_("不填则为办案机构所在乡镇（街道）"))
    title = forms.CharField(label=_("案由"), max_length=300)
    source = forms.ChoiceField(label=_("案件来源"), choices=CaseSource.choices, initial=CaseSource.INSPECTION)
    source_ref = forms.CharField(label=_("来源编号"), max_length=120, required=False)
    occurred_on = forms.DateField(label=_("违法行为发生日期"), widget=DateInput())
    violation_ended_on = forms.DateField(label=_("违法行为终了日期"), widget=DateInput(), required=False,
                                         help_text=_("连续或者继续状态的违法行为填写终了之日（《行政处罚法》第三十六条）"))
    discovered_on = forms.DateField(label=_("发现日期"), widget=DateInput(), initial=today)
    place = forms.CharField(label=_("违法地点"), max_length=200, required=False)
    facts = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    involves_safety = forms.BooleanField(label=_("涉及生命健康安全、金融安全且有危害后果"), required=False)
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices)
    party_name = forms.CharField(label=_("当事人"), max_length=200)
    party_id_number = forms.CharField(label=_("身份证件号码/统一社会信用代码"), max_length=40, required=False)
    party_legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False)
    party_address = forms.CharField(label=_("住所/地址"), max_length=300, required=False)
    party_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        agencies = Agency.objects.active().filter(kind__in=_HANDLING_KINDS)
        if not (user.is_superuser or scope.county_wide):
            agencies = agencies.filter(pk__in=scope.agency_ids)
        self.fields["agency"].queryset = agencies.order_by("sort_order", "code")
        allowed = [a for a in self.fields["agency"].queryset if can_register_for(user, a)]
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in allowed]).order_by(
            "sort_order", "code")
        if len(allowed) == 1:
            self.fields["agency"].initial = allowed[0].pk
        self.fields["matter"].queryset = Matter.objects.in_force().filter(power_type=PowerType.PENALTY).order_by("code")
        self.fields["township"].queryset = Agency.objects.townships().active().order_by("sort_order", "code")


_HANDLING_KINDS = ("town", "subdistrict", "squadron_stationed", "squadron_direct", "brigade", "bureau")


# --- steps --------------------------------------------------------------------------------


class FileForm(CaseStepForm):
    officers = OfficerChoiceField(label=_("办案人员（不少于两人）"), queryset=User.objects.none(),
                                  widget=forms.CheckboxSelectMultiple)
    on = forms.DateField(label=_("立案日期"), widget=DateInput(), initial=today)
    is_major = forms.BooleanField(label=_("重大案件"), required=False)
    is_complex = forms.BooleanField(label=_("情节复杂"), required=False)
    major_reason = forms.CharField(label=_("重大/复杂理由"), max_length=300, required=False)
    note = forms.CharField(label=_("立案意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = agency_officers(self.case.agency)
        if self.user is not None and not self.is_bound:
            self.fields["officers"].initial = [self.user.pk]


class DeclineForm(CaseStepForm):
    reason = forms.CharField(label=_("不予立案理由"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("日期"), widget=DateInput(), initial=today)


class NoteForm(CaseStepForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TierField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        values = {"level": obj.level, "circumstances": obj.circumstances,
                  "kinds": gettext("、").join(obj.penalty_kind_labels())}
        if obj.fine_min is None and obj.fine_max is None:
            return gettext("%(level)s：%(circumstances)s（%(kinds)s）") % values
        values.update(low=obj.fine_min or 0, high=obj.fine_max or "—", unit=obj.get_fine_unit_display())
        return gettext("%(level)s：%(circumstances)s（%(kinds)s %(low)s～%(high)s%(unit)s）") % values


class PenaltyFieldsMixin:
    def _tiers(self):
        self.fields["tier"].queryset = DiscretionTier.objects.filter(matter_id=self.case.matter_id).order_by("order")
        if self.case.tier_id and not self.is_bound:
            self.fields["tier"].initial = self.case.tier_id


class NoticeForm(PenaltyFieldsMixin, CaseStepForm):
    tier = TierField(label=_("裁量等级"), queryset=DiscretionTier.objects.none(), required=False)
    kinds = forms.MultipleChoiceField(label=_("拟处罚种类"), choices=PenaltyKind.choices,
                                      widget=forms.CheckboxSelectMultiple)
    fine = forms.DecimalField(label=_("拟罚款金额（元）"), max_digits=14, decimal_places=2, required=False, min_value=0)
    illegal_gains = forms.DecimalField(label=_("违法所得（元）"), max_digits=14, decimal_places=2, required=False,
                                       min_value=0)
    confiscated = forms.DecimalField(label=_("拟没收违法所得/非法财物价值（元）"), max_digits=14, decimal_places=2,
                                     required=False, min_value=0)
    on = forms.DateField(label=_("告知书送达日期"), widget=DateInput(), initial=today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tiers()


class OnSpotForm(PenaltyFieldsMixin, CaseStepForm):
    officers = OfficerChoiceField(label=_("执法人员（不少于两人）"), queryset=User.objects.none(),
                                  widget=forms.CheckboxSelectMultiple)
    tier = TierField(label=_("裁量等级"), queryset=DiscretionTier.objects.none(), required=False)
    kinds = forms.MultipleChoiceField(label=_("处罚种类"), widget=forms.CheckboxSelectMultiple,
                                      choices=[(PenaltyKind.WARNING, PenaltyKind.WARNING.label),
                                               (PenaltyKind.FINE, PenaltyKind.FINE.label)])
    fine = forms.DecimalField(label=_("罚款金额（元）"), max_digits=14, decimal_places=2, required=False, min_value=0)
    decision_text = forms.CharField(label=_("处罚理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    on = forms.DateField(label=_("决定日期"), widget=DateInput(), initial=today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tiers()
        self.fields["officers"].queryset = agency_officers(self.case.agency)
        if self.user is not None and not self.is_bound:
            self.fields["officers"].initial = [self.user.pk]


class TextForm(CaseStepForm):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))


class DayForm(CaseStepForm):
    on = forms.DateField(label=_("日期"), widget=DateInput(), initial=today)


class ScheduleHearingForm(CaseStepForm):
    notified_on = forms.DateField(label=_("听证通知送达日期"), widget=DateInput(), initial=today)
    hearing_at = forms.DateTimeField(label=_("听证时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("听证地点"), max_length=200)


class RecordHearingForm(CaseStepForm):
    held_at = forms.DateTimeField(label=_("听证举行时间"), widget=DateTimeInput())
    record = forms.CharField(label=_("听证笔录摘要"), widget=forms.Textarea(attrs={"rows": 4}))


class ReviewForm(CaseStepForm):
    PASS, RETURN = "pass", "return"
    result = forms.ChoiceField(label=_("审核结论"), choices=[(PASS, _("通过")), (RETURN, _("退回补充调查"))],
                               widget=forms.RadioSelect, initial=PASS)
    opinion = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 4}))


class ApproveStepForm(CaseStepForm):
    decision = forms.ChoiceField(label=_("审批意见"), widget=forms.RadioSelect, initial=StepDecision.APPROVED,
                                 choices=[(StepDecision.APPROVED, StepDecision.APPROVED.label),
                                          (StepDecision.RETURNED, StepDecision.RETURNED.label),
                                          (StepDecision.REJECTED, StepDecision.REJECTED.label)])
    reason = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ConfirmForm(CaseStepForm):
    pass


class DeliberateForm(CaseStepForm):
    held_on = forms.DateField(label=_("讨论日期"), widget=DateInput(), initial=today)
    chair = forms.CharField(label=_("主持人"), max_length=60)
    participants = forms.CharField(label=_("参加人员"), widget=forms.Textarea(attrs={"rows": 2}))
    conclusion = forms.CharField(label=_("讨论决定"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(PenaltyFieldsMixin, CaseStepForm):
    outcome = forms.ChoiceField(label=_("处理结果"), widget=forms.RadioSelect, initial=Outcome.PENALTY,
                                choices=[(Outcome.PENALTY, Outcome.PENALTY.label),
                                         (Outcome.NO_PENALTY, Outcome.NO_PENALTY.label),
                                         (Outcome.FIRST_OFFENSE, Outcome.FIRST_OFFENSE.label)])
    tier = TierField(label=_("裁量等级"), queryset=DiscretionTier.objects.none(), required=False)
    kinds = forms.MultipleChoiceField(label=_("处罚种类"), choices=PenaltyKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    fine = forms.DecimalField(label=_("罚款金额（元）"), max_digits=14, decimal_places=2, required=False, min_value=0)
    confiscated = forms.DecimalField(label=_("没收违法所得（元）"), max_digits=14, decimal_places=2, required=False,
                                     min_value=0)
    decision_text = forms.CharField(label=_("处罚内容及理由（不予处罚时必填）"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    needs_publication = forms.BooleanField(
        label=_("具有一定社会影响，需公开（《行政处罚法》第四十八条）"), required=False
    )
    first_offense_confirmed = forms.BooleanField(
        label=_("首违不罚：当事人无身份证件号码和住所，已人工核查其此前未因同一事项受到处理"), required=False
    )
    on = forms.DateField(label=_("决定日期"), widget=DateInput(), initial=today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tiers()
        if not self.is_bound:
            self.fields["kinds"].initial = list(self.case.proposed_kinds or [])
            self.fields["fine"].initial = self.case.proposed_fine


class TransferForm(CaseStepForm):
    target = forms.ChoiceField(label=_("移送对象类型"), choices=TransferTarget.choices)
    body = forms.CharField(label=_("接收机关"), max_length=200)
    reason = forms.CharField(label=_("移送理由"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("移送日期"), widget=DateInput(), initial=today)


class MarkMajorForm(CaseStepForm):
    is_major = forms.BooleanField(label=_("重大案件"), required=False)
    is_complex = forms.BooleanField(label=_("情节复杂"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"is_major": self.case.is_major, "is_complex": self.case.is_complex,
                                 "reason": self.case.major_reason})


class ExtendForm(CaseStepForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=90, initial=30)
    reason = forms.CharField(label=_("延长理由"), widget=forms.Textarea(attrs={"rows": 2}))


class SuspendForm(CaseStepForm):
    reason = forms.CharField(label=_("中止理由"), widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("中止日期"), widget=DateInput(), initial=today)


class ServeForm(CaseStepForm):
    method = forms.ChoiceField(label=_("送达方式"), choices=ServiceMethod.choices, initial=ServiceMethod.DIRECT)
    served_to = forms.CharField(label=_("受送达人"), max_length=200)
    on = forms.DateField(label=_("送达日期"), widget=DateInput(), initial=today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["served_to"] = self.case.party_name


class ExecuteForm(CaseStepForm):
    method = forms.ChoiceField(label=_("执行方式"), choices=ExecutionMethod.choices, initial=ExecutionMethod.PAID)
    paid_amount = forms.DecimalField(label=_("实缴金额（元）"), max_digits=14, decimal_places=2, required=False,
                                     min_value=0)
    receipt_number = forms.CharField(label=_("缴款凭证号"), max_length=60, required=False)
    note = forms.CharField(label=_("执行情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    on = forms.DateField(label=_("执行完毕日期"), widget=DateInput(), initial=today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from enforcement.cases.rules import surcharge

        late = surcharge(self.case, today())
        if late:
            self.fields["paid_amount"].help_text = _(
                "已超过缴款期限，截至今日加处罚款 %(amount)s 元（每日罚款数额的百分之三，不超过罚款数额，"
                "《行政处罚法》第七十二条）。"
            ) % {"amount": late}
        if not self.is_bound:
            self.initial["paid_amount"] = (self.case.fine_amount or 0) + late if self.case.fine_amount else None


class CloseForm(CaseStepForm):
    summary = forms.CharField(label=_("结案报告"), widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("结案日期"), widget=DateInput(), initial=today)


class EvidenceForm(CaseStepForm):
    kind = forms.ChoiceField(label=_("证据种类"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("证据名称"), max_length=200)
    description = forms.CharField(label=_("证明事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    collected_on = forms.DateField(label=_("取证日期"), widget=DateInput(), initial=today)
    collected_place = forms.CharField(label=_("取证地点"), max_length=200, required=False)
    file = forms.FileField(
        label=_("文件"), help_text=_("jpg、png、pdf、mp3、wav、mp4、docx、xlsx；上传时计算 SHA-256，之后不可修改或删除")
    )


class SupersedeForm(CaseStepForm):
    reason = forms.CharField(label=_("替代理由"), widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("新文件"))


class InquiryForm(CaseStepForm):
    person_name = forms.CharField(label=_("被询问人"), max_length=100)
    person_role = forms.ChoiceField(label=_("身份"), choices=[("当事人", _("当事人")), ("证人", _("证人")),
                                                           ("其他", _("其他"))])
    person_id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False)
    recorder = forms.ModelChoiceField(label=_("记录人（另一名执法人员）"), queryset=User.objects.none())
    place = forms.CharField(label=_("询问地点"), max_length=200)
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    qa = forms.CharField(label=_("询问内容（一问一答，每行一句）"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorder"].queryset = agency_officers(self.case.agency).exclude(pk=getattr(self.user, "pk", None))
        self.fields["recorder"].label_from_instance = _user_label
        if not self.is_bound:
            self.initial.update({"person_name": self.case.party_name,
                                 "person_id_number": self.case.party_id_number})


class PublishForm(CaseStepForm):
    pass


class WithdrawForm(CaseStepForm):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(CaseStepForm):
    kind = forms.ChoiceField(label=_("类型"), choices=AppealKind.choices)
    filed_on = forms.DateField(label=_("申请/起诉日期"), widget=DateInput(), initial=today)
    body = forms.CharField(label=_("复议机关/人民法院"), max_length=200)
    reference = forms.CharField(label=_("案号"), max_length=100, required=False)
    outcome = forms.ChoiceField(label=_("结果"), choices=AppealOutcome.choices, initial=AppealOutcome.PENDING)
    concluded_on = forms.DateField(label=_("结案日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AppealOutcomeForm(CaseStepForm):
    outcome = forms.ChoiceField(label=_("结果"), choices=AppealOutcome.choices)
    concluded_on = forms.DateField(label=_("结案日期"), widget=DateInput(), initial=today)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


# The form of each step (the keys of enforcement.cases.actions.ACTION_LABELS).
ACTION_FORMS: dict[str, type[CaseStepForm]] = {
    "file": FileForm,
    "decline": DeclineForm,
    "decide_on_spot": OnSpotForm,
    "investigate": NoteForm,
    "inquiry": InquiryForm,
    "evidence": EvidenceForm,
    "notice": NoticeForm,
    "statement": TextForm,
    "request_hearing": DayForm,
    "waive_hearing": NoteForm,
    "schedule_hearing": ScheduleHearingForm,
    "record_hearing": RecordHearingForm,
    "submit_review": NoteForm,
    "review": ReviewForm,
    "approve_step": ApproveStepForm,
    "justification": TextForm,
    "approve_justification": ConfirmForm,
    "deliberate": DeliberateForm,
    "decide": DecideForm,
    "transfer": TransferForm,
    "mark_major": MarkMajorForm,
    "extend": ExtendForm,
    "suspend": SuspendForm,
    "resume": DayForm,
    "serve": ServeForm,
    "execute": ExecuteForm,
    "summary_record": DayForm,
    "close": CloseForm,
    "archive": DayForm,
    "publish": PublishForm,
    "withdraw_publication": WithdrawForm,
    "appeal": AppealForm,
}


# --- list filters ------------------------------------------------------------------------------


class CaseFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False)
    warning = forms.ChoiceField(label=_("预警"), required=False)
    procedure = forms.ChoiceField(label=_("程序"), required=False)
    agency = forms.TypedChoiceField(label=_("办案机构"), required=False, coerce=int, empty_value=None)
    major = forms.BooleanField(label=_("只看重大案件"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("编号、案由、当事人")
        self.fields["status"].choices = [("", _("全部状态"))] + list(CaseStatus.choices)
        self.fields["warning"].choices = [("", _("全部"))] + [
            (WarningLevel.YELLOW, WarningLevel.YELLOW.label), (WarningLevel.RED, WarningLevel.RED.label),
            ("any", _("黄灯或红灯")),
        ]
        self.fields["procedure"].choices = [("", _("全部程序"))] + list(Procedure.choices)
        self.fields["agency"].choices = [("", _("全部机构"))] + [(a.pk, a.name) for a in agencies]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, str(y)) for y in range(this_year, this_year - 5, -1)]

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
