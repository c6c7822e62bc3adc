"""The rules of a batch item, and the blocking problems that stop a batch from being approved.

Two entry points:

* :func:`item_field_errors` - what an item may not be saved with (the matter is
  outside the guidance catalogue, a priority item that cannot be one, a
  deferred item without its reason and review date...). The services refuse
  such an item with field errors.
* :func:`blocking_problems` - everything that stops approval: rejected items,
  missing assessments, statutory records and entrustment agreements,
  incomplete integrated packages, township readiness failures. Approval is
  all-or-nothing: ``batch_approve`` refuses with one error that lists every
  problem, each naming the item, the township and the missing record.

Both read prefetched rows (:func:`load_context`): a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from devolution.models import (
    AssessmentConclusion,
    BatchItem,
    Category,
    DevolutionBatch,
    EntrustmentAgreement,
    ItemMode,
    ReadinessPolicy,
    ReviewStatus,
    StatutoryKind,
)
from devolution.readiness import TownshipReadiness, township_readiness
from devolution.selectors import CaseCount, agreements_of, case_counts_3y, items_of
from enforcement.models import Agency, AgencyKind

__all__ = [
    "BatchContext",
    "Problem",
    "blocking_problems",
    "item_field_errors",
    "load_context",
    "readiness_townships",
]


@dataclass(frozen=True)
class Problem:
    """One reason a batch cannot be approved."""

    code: str
    message: str
    item_id: int | None = None
    township_id: int | None = None


@dataclass
class BatchContext:
    batch: DevolutionBatch
    items: list[BatchItem]
    batch_township_ids: set[int]
    agreements: list[EntrustmentAgreement]
    squadrons: dict[int, list[Agency]]
    case_counts: dict[int, CaseCount]
    readiness: dict[int, TownshipReadiness] = field(default_factory=dict)
    batch_townships: list[Agency] = field(default_factory=list)


def load_context(batch: DevolutionBatch, *, on: dt.date | None = None, with_readiness: bool = True) -> BatchContext:
    """Everything the rules read about a batch, in a fixed handful of queries."""
    items = list(items_of(batch))
    batch_townships = list(batch.townships.order_by("sort_order", "code"))
    ids = {t.pk for t in batch_townships} | {t.pk for i in items for t in i.townships.all()}
    squadrons: dict[int, list[Agency]] = defaultdict(list)
    for sq in Agency.objects.filter(
        kind=AgencyKind.SQUADRON_STATIONED, is_active=True, stationed_in_id__in=ids
    ).order_by("sort_order", "code"):
        squadrons[sq.stationed_in_id].append(sq)
    ctx = BatchContext(
        batch=batch,
        items=items,
        batch_township_ids={t.pk for t in batch_townships},
        agreements=list(agreements_of(batch)),
        squadrons=squadrons,
        case_counts=case_counts_3y(items),
        batch_townships=batch_townships,
    )
    if with_readiness:
        ctx.readiness = township_readiness(batch_townships, on=on, policy=ReadinessPolicy.load())
    return ctx


def _names(townships) -> str:
    return "、".join(t.name for t in townships)


def _item_ref(item: BatchItem, townships=None) -> str:
    """“CODE 名称”（甲镇、乙街道）: how every message names an item and its townships."""
    townships = list(item.townships.all()) if townships is None else list(townships)
    where = _names(townships) or _("未选择乡镇")
    return _("事项“%(matter)s”（%(townships)s）") % {"matter": item.label, "townships": where}


# --- save-time rules ---------------------------------------------------------


def item_field_errors(item: BatchItem, ctx: BatchContext) -> dict[str, list[str]]:
    """Field errors of one saved item (with its townships set); empty when it may be saved."""
    errors: dict[str, list[str]] = defaultdict(list)
    matter = item.matter
    townships = list(item.townships.all())
    township_ids = {t.pk for t in townships}

    if not matter.in_guidance_catalogue:
        errors["matter"].append(
            _("事项“%(matter)s”不在省级赋权指导目录内，不能列入赋权批次。") % {"matter": item.label}
        )
    if not townships:
        errors["townships"].append(_("事项“%(matter)s”未选择承接乡镇（街道）。") % {"matter": item.label})
    outside = [t for t in townships if t.pk not in ctx.batch_township_ids]
    if outside:
        errors["townships"].append(
            _("事项“%(matter)s”的承接乡镇%(townships)s不在本批次涉及的乡镇（街道）范围内。")
            % {"matter": item.label, "townships": _names(outside)}
        )

    if item.category == Category.PRIORITY:
        count = ctx.case_counts[item.pk]
        if matter.safety_critical:
            errors["category"].append(
                _("%(item)s属于安全关键事项，不能列为“优先下放”，请改为“评估下放”并组织专家评估。")
                % {"item": _item_ref(item, townships)}
            )
        elif count.value == 0:
            # The message says which figure the rule used: the system's count of cases, or the hand-entered one.
            errors["category"].append(
                _("%(item)s近三年案件数为 0（%(source)s，%(start)s 至 %(end)s），不能列为“优先下放”，"
                  "请改为“评估下放”并组织专家评估。")
                % {"item": _item_ref(item, townships), "source": count.source_label,
                   "start": count.window_from.isoformat(), "end": count.window_to.isoformat()}
            )
    if item.category == Category.DEFERRED:
        if not item.deferred_reason.strip():
            errors["deferred_reason"].append(
                _("%(item)s列为“暂缓下放”须填写暂缓理由。") % {"item": _item_ref(item, townships)}
            )
        if item.review_date is None:
            errors["review_date"].append(
                _("%(item)s列为“暂缓下放”须填写复核日期。") % {"item": _item_ref(item, townships)}
            )
    if item.category == Category.INTEGRATED:
        if item.package_id is None:
            errors["package"].append(
                _("%(item)s列为“整体下放”须归入一个“一件事”事项包。") % {"item": _item_ref(item, townships)}
            )
        elif item.package.batch_id != item.batch_id:
            errors["package"].append(_("所选事项包不属于本批次。"))
    elif item.package_id is not None:
        errors["package"].append(
            _("%(item)s不是“整体下放”事项，不能归入事项包。") % {"item": _item_ref(item, townships)}
        )

    if item.mode == ItemMode.HUB_AND_SPOKE:
        if item.hub_township_id is None:
            errors["hub_township"].append(
                _("%(item)s采用“1+X”辐射方式，须指定中心镇（街道）。") % {"item": _item_ref(item, townships)}
            )
        elif item.hub_township_id not in township_ids:
            errors["hub_township"].append(
                _("%(item)s的中心镇“%(hub)s”须在承接乡镇之中。")
                % {"item": _item_ref(item, townships), "hub": item.hub_township.name}
            )
        elif len(township_ids - {item.hub_township_id}) < 1:
            errors["townships"].append(
                _("%(item)s采用“1+X”辐射方式，除中心镇外至少还须有一个辐射乡镇（街道）。")
                % {"item": _item_ref(item, townships)}
            )
    elif item.hub_township_id is not None:
        errors["hub_township"].append(_("只有“1+X”辐射方式需要指定中心镇。"))
    if item.mode == ItemMode.STATIONED and item.enacts:
        missing = [t for t in townships if not ctx.squadrons.get(t.pk)]
        if missing:
            errors["mode"].append(
                _("%(item)s采用派驻方式，但%(townships)s没有派驻中队。")
                % {"item": _item_ref(item, townships), "townships": _names(missing)}
            )
    return dict(errors)


# --- blocking problems -----------------------------------------------------------


def readiness_townships(ctx: BatchContext) -> set[int]:
    """Townships that will exercise powers themselves and so must pass the readiness checks.

    Devolved and entrusted items: each township acts. Hub-and-spoke: the hub
    acts for its spokes, so only the hub. Stationed items: the bureau's
    squadron acts, not the township. Deferred items enact nothing.
    """
    ids: set[int] = set()
    for item in ctx.items:
        if not item.enacts:
            continue
        if item.mode in (ItemMode.DEVOLVED, ItemMode.ENTRUSTED):
            ids |= {t.pk for t in item.townships.all()}
        elif item.mode == ItemMode.HUB_AND_SPOKE and item.hub_township_id:
            ids.add(item.hub_township_id)
    return ids


def agreement_for(item: BatchItem, township: Agency, ctx: BatchContext) -> EntrustmentAgreement | None:
    """The batch's agreement of the matter's department covering ``township`` on the effective date."""
    day = ctx.batch.effective_date
    for agreement in ctx.agreements:
        if (
            agreement.department_id == item.matter.origin_department_id
            and agreement.covers(day)
            and any(t.pk == township.pk for t in agreement.townships.all())
        ):
            return agreement
    return None


def _item_problems(item: BatchItem, ctx: BatchContext) -> list[Problem]:
    out: list[Problem] = []
    townships = list(item.townships.all())

    def add(code: str, message: str, township: Agency | None = None) -> None:
        out.append(Problem(code, message, item.pk, township.pk if township else None))

    if item.review_status == ReviewStatus.REJECTED:
        add("item_rejected", _("%(item)s审查意见为“不同意”，请修改或移除该事项后再批准。")
            % {"item": _item_ref(item, townships)})
    for messages in item_field_errors(item, ctx).values():
        for message in messages:
            add("item_invalid", message)
    if not item.enacts:
        return out

    ref = {"item": _item_ref(item, townships)}
    if item.category == Category.ASSESSED:
        assessment = getattr(item, "assessment", None)
        if assessment is None:
            add("assessment_missing",
                _("%(item)s列为“评估下放”，缺少专家评估记录（评估日期、评估专家、评估结论、评估意见书）。") % ref)
        elif assessment.conclusion != AssessmentConclusion.SUITABLE:
            add("assessment_unsuitable", _("%(item)s的专家评估结论为“不宜下放”。") % ref)
        elif not assessment.opinion_file:
            add("assessment_missing", _("%(item)s的专家评估缺少评估意见书附件。") % ref)
    if item.category == Category.STATUTORY:
        records = {r.kind: r for r in item.statutory_records.all()}
        for kind in StatutoryKind:
            record = records.get(kind.value)
            if record is None:
                add("statutory_missing", _("%(item)s列为“依法下放”，缺少“%(record)s”（须有文号和日期）。")
                    % {"item": _item_ref(item, townships), "record": kind.label})
            elif not record.document_no.strip() or record.issued_on is None:
                add("statutory_incomplete", _("%(item)s的“%(record)s”缺少文号或日期。")
                    % {"item": _item_ref(item, townships), "record": kind.label})
    if item.mode == ItemMode.ENTRUSTED:
        department = item.matter.origin_department
        for township in townships:
            if agreement_for(item, township, ctx) is None:
                add("agreement_missing",
                    _("事项“%(matter)s”在%(township)s采用委托方式，缺少%(department)s与%(township)s的委托协议"
                      "（委托期限须覆盖生效日期 %(day)s）。")
                    % {"matter": item.label, "township": township.name, "department": department.name,
                       "day": ctx.batch.effective_date.isoformat()},
                    township)
    return out


def blocking_problems(batch: DevolutionBatch, *, ctx: BatchContext | None = None,
                      on: dt.date | None = None) -> list[Problem]:
    """Every reason the batch cannot be approved now; empty when it can."""
    ctx = ctx or load_context(batch, on=on)
    problems: list[Problem] = []
    if not ctx.items:
        problems.append(Problem("batch_empty", _("批次“%(batch)s”没有任何事项。") % {"batch": batch.number}))
    by_item: dict[int, list[Problem]] = {}
    for item in ctx.items:
        by_item[item.pk] = _item_problems(item, ctx)
        problems.extend(by_item[item.pk])
    problems.extend(_package_problems(ctx, by_item))
    for township_id in sorted(readiness_townships(ctx), key=_township_order(ctx)):
        readiness = ctx.readiness.get(township_id)
        if readiness is None:
            continue
        for message in readiness.failure_messages():
            problems.append(Problem("readiness", _("承接能力不足：%(message)s") % {"message": message},
                                    township_id=township_id))
    return problems


def _township_order(ctx: BatchContext):
    order = {t.pk: n for n, t in enumerate(ctx.batch_townships)}
    return lambda pk: (order.get(pk, 10**6), pk)


def _package_problems(ctx: BatchContext, by_item: dict[int, list[Problem]]) -> list[Problem]:
    """An integrated package ("one thing") is approved whole or not at all."""
    problems: list[Problem] = []
    packages: dict[int, list[BatchItem]] = defaultdict(list)
    for item in ctx.items:
        if item.package_id:
            packages[item.package_id].append(item)
    for package_items in packages.values():
        package = package_items[0].package
        if len(package_items) < 2:
            problems.append(Problem(
                "package_incomplete",
                _("事项包“%(package)s”只有 1 个事项（%(item)s），“一件事”整体下放须包含相关联的多个事项。")
                % {"package": package.name, "item": package_items[0].label},
                package_items[0].pk,
            ))
        township_sets = {frozenset(t.pk for t in i.townships.all()) for i in package_items}
        if len(township_sets) > 1:
            every = set().union(*township_sets)
            names = {t.pk: t.name for i in package_items for t in i.townships.all()}
            for item in package_items:
                lacking = every - {t.pk for t in item.townships.all()}
                for tid in sorted(lacking):
                    problems.append(Problem(
                        "package_incomplete",
                        _("事项包“%(package)s”须在同一批乡镇整体下放：事项“%(matter)s”缺少%(township)s。")
                        % {"package": package.name, "matter": item.label, "township": names[tid]},
                        item.pk, tid,
                    ))
        blocked = [i for i in package_items if by_item.get(i.pk)]
        if blocked:
            problems.append(Problem(
                "package_incomplete",
                _("事项包“%(package)s”须整体批准，其中事项%(items)s尚有问题，整个事项包暂不能批准。")
                % {"package": package.name, "items": "、".join(f"“{i.label}”" for i in blocked)},
            ))
    return problems
