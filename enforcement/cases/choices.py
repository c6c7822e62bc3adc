"""The choices and state groups of cases: plain values that models, permissions and rules share.

They sit below the models so that the permission predicates (``permissions.py``)
can name a status or an approver kind without importing the models.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    LEAD = "lead", _("线索")
    DECLINED = "declined", _("不予立案")
    FILED = "filed", _("已立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("已事先告知")
    HEARING = "hearing", _("听证")
    LEGAL_REVIEW = "legal_review", _("法制审核中")
    REVIEWED = "reviewed", _("法制审核通过")
    DELIBERATED = "deliberated", _("已集体讨论")
    DECIDED = "decided", _("已决定")
    TRANSFERRED = "transferred", _("已移送")
    SERVED = "served", _("已送达")
    EXECUTED = "executed", _("已执行")
    CLOSED = "closed", _("已结案")
    ARCHIVED = "archived", _("已归档")


S = CaseStatus
# A case in these states still has work (and deadlines) ahead of it.
OPEN_STATES = (
    S.LEAD, S.FILED, S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.LEGAL_REVIEW, S.REVIEWED, S.DELIBERATED,
    S.DECIDED, S.TRANSFERRED, S.SERVED, S.EXECUTED,
)
# Filed and not yet decided: the 90-day clock of art. 60 runs.
PENDING_DECISION_STATES = (
    S.FILED, S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.LEGAL_REVIEW, S.REVIEWED, S.DELIBERATED,
)
# A decision (or transfer) may be made from these states; the services check the rest.
DECIDABLE_STATES = (S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.REVIEWED, S.DELIBERATED)
TRANSFERABLE_STATES = (S.LEAD, *PENDING_DECISION_STATES)
DECIDED_STATES = (S.DECIDED, S.SERVED, S.EXECUTED, S.CLOSED, S.ARCHIVED)


class Procedure(models.TextChoices):
    SUMMARY = "summary", _("简易程序")
    ORDINARY = "ordinary", _("普通程序")


class CaseSource(models.TextChoices):
    TICKET = "ticket", _("工单转办")
    INSPECTION = "inspection", _("检查发现")
    REPORT = "report", _("举报投诉")
    TRANSFER_IN = "transfer_in", _("移送")
    OTHER = "other", _("其他")


class PartyKind(models.TextChoices):
    INDIVIDUAL = "individual", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


class Outcome(models.TextChoices):
    PENALTY = "penalty", _("给予行政处罚")
    NO_PENALTY = "no_penalty", _("不予行政处罚")
    FIRST_OFFENSE = "first_offense", _("首违不罚")
    TRANSFER = "transfer", _("移送")


class TransferTarget(models.TextChoices):
    POLICE = "police", _("公安机关")
    PROCURATORATE = "procuratorate", _("检察机关")
    SUPERVISORY = "supervisory", _("监察机关")
    OTHER_AGENCY = "other_agency", _("其他行政机关")


class ServiceMethod(models.TextChoices):
    ON_SPOT = "on_spot", _("当场交付")
    DIRECT = "direct", _("直接送达")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    LEFT = "left", _("留置送达")
    ENTRUSTED = "entrusted", _("委托送达")
    PUBLIC_NOTICE = "public_notice", _("公告送达")


class ExecutionMethod(models.TextChoices):
    PAID = "paid", _("当事人自觉履行")
    PAID_ON_SPOT = "paid_on_spot", _("当场收缴")
    COMPULSORY = "compulsory", _("行政强制执行")
    COURT = "court", _("申请人民法院强制执行")


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class OfficerRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class ApprovalScope(models.TextChoices):
    ALL = "all", _("全部案件")
    TOWNSHIP = "township", _("乡镇（街道）案件")
    BUREAU = "bureau", _("执法局案件")


class ApproverKind(models.TextChoices):
    """Who may act on one level of the approval chain."""

    HANDLER = "handler", _("承办人")
    LEGAL_OFFICER = "legal_officer", _("法制员")
    HEAD = "head", _("大队/中队/执法队负责人")
    LEGAL_SECTION = "legal_section", _("法制科（法制审核机构）")
    REVIEW_CENTRE = "review_centre", _("县法制审核中心")
    COLLECTIVE = "collective", _("集体讨论")


class StepDecision(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("同意")
    RETURNED = "returned", _("退回")
    REJECTED = "rejected", _("不同意")


class ReviewResult(models.TextChoices):
    PENDING = "pending", _("审核中")
    PASSED = "passed", _("通过")
    RETURNED = "returned", _("退回")


class EvidenceKind(models.TextChoices):
    """The kinds of evidence (Administrative Penalty Law art. 46)."""

    DOCUMENTARY = "documentary", _("书证")
    PHYSICAL = "physical", _("物证")
    AUDIOVISUAL = "audiovisual", _("视听资料")
    ELECTRONIC = "electronic", _("电子数据")
    WITNESS = "witness", _("证人证言")
    STATEMENT = "statement", _("当事人的陈述")
    EXPERT = "expert", _("鉴定意见")
    INSPECTION = "inspection", _("勘验笔录、现场笔录")


class DocumentKind(models.TextChoices):
    FILING_APPROVAL = "filing_approval", _("立案审批表")
    INQUIRY_RECORD = "inquiry_record", _("询问笔录")
    ADVANCE_NOTICE = "advance_notice", _("行政处罚事先告知书")
    HEARING_NOTICE = "hearing_notice", _("听证通知书")
    LEGAL_REVIEW_OPINION = "legal_review_opinion", _("法制审核意见书")
    DECISION = "decision", _("行政处罚决定书")
    NO_PENALTY_DECISION = "no_penalty_decision", _("不予行政处罚决定书")
    SUMMARY_DECISION = "summary_decision", _("当场行政处罚决定书")
    TRANSFER_LETTER = "transfer_letter", _("案件移送函")
    SERVICE_RECEIPT = "service_receipt", _("送达回证")
    CLOSING_APPROVAL = "closing_approval", _("结案审批表")


class DocumentStage(models.IntegerChoices):
    """Archive order of the case file: filing, investigation, review, decision, service, execution."""

    FILING = 1, _("立案")
    INVESTIGATION = 2, _("调查取证")
    REVIEW = 3, _("告知与审核")
    DECISION = 4, _("决定")
    SERVICE = 5, _("送达")
    EXECUTION = 6, _("执行与结案")


class AppealKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", _("行政复议")
    LITIGATION = "litigation", _("行政诉讼")


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("审理中")
    UPHELD = "upheld", _("维持")
    VARIED = "varied", _("变更")
    REVOKED = "revoked", _("撤销")
    CONFIRMED_UNLAWFUL = "confirmed_unlawful", _("确认违法")
    DECLARED_INVALID = "declared_invalid", _("确认无效")
    WITHDRAWN = "withdrawn", _("撤回申请/撤诉")


# Art. 48(2): a published decision revoked, varied, confirmed unlawful or declared invalid is withdrawn.
CHANGING_OUTCOMES = (
    AppealOutcome.VARIED, AppealOutcome.REVOKED, AppealOutcome.CONFIRMED_UNLAWFUL, AppealOutcome.DECLARED_INVALID,
)
