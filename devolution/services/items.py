"""Batch items and their records: packages, expert assessments, statutory records, entrustment agreements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from devolution import permissions as perms
from devolution.models import (
    Assessment,
    AssessmentConclusion,
    BatchItem,
    Category,
    DevolutionBatch,
    EntrustmentAgreement,
    ItemMode,
    Package,
    ReviewStatus,
    StatutoryKind,
    StatutoryRecord,
)
from devolution.rules import item_field_errors, load_context
from devolution.services._common import (
    ITEM_FIELDS,
    _event_data,
    _lock_editable,
    _require,
    _townships_only,
)
from enforcement.errors import ValidationFailed
from enforcement.models import Agency, AgencyKind, Matter
from enforcement.workflow import perform_transition, record_event


def _validated(item: BatchItem, batch: DevolutionBatch) -> BatchItem:
    """Re-read the saved item with its relations and refuse it (rolling back) if a rule fails."""
    ctx = load_context(batch, with_readiness=False)
    saved = next(i for i in ctx.items if i.pk == item.pk)
    errors = item_field_errors(saved, ctx)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return saved


def _check_package(package: Package | None, batch: DevolutionBatch) -> None:
    if package is not None and package.batch_id != batch.pk:
        raise ValidationFailed(_("所选事项包不属于本批次。"), field="package")


@transaction.atomic
def item_add(
    batch: DevolutionBatch,
    *,
    by,
    matter: Matter,
    townships: Iterable[Agency],
    category: str,
    mode: str,
    rationale: str = "",
    package: Package | None = None,
    deferred_reason: str = "",
    review_date: dt.date | None = None,
    hub_township: Agency | None = None,
    entered_case_count_3y: int | None = None,
) -> BatchItem:
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以编辑批次事项。"))
    locked = _lock_editable(batch)
    if category not in Category.values:
        raise ValidationFailed(_("未知的下放类别“%(v)s”。") % {"v": category}, field="category")
    if mode not in ItemMode.values:
        raise ValidationFailed(_("未知的承接方式“%(v)s”。") % {"v": mode}, field="mode")
    _check_package(package, locked)
    if BatchItem.objects.filter(batch=locked, matter=matter).exists():
        raise ValidationFailed(
            _("事项“%(matter)s”已在批次“%(batch)s”中。") % {"matter": f"{matter.code} {matter.name}",
                                                        "batch": locked.number},
            field="matter",
        )
    item = BatchItem.objects.create(
        batch=locked, matter=matter, category=category, mode=mode, rationale=rationale, package=package,
        deferred_reason=deferred_reason or "", review_date=review_date, hub_township=hub_township,
        entered_case_count_3y=entered_case_count_3y,
    )
    item.townships.set(_townships_only(townships))
    saved = _validated(item, locked)
    record_event(locked, "item_add", by=by, data=_event_data(
        item=saved.label, category=saved.get_category_display(), mode=saved.get_mode_display(),
        townships=[t.name for t in saved.townships.all()],
    ))
    return saved


@transaction.atomic
def item_update(item: BatchItem, *, by, townships: Iterable[Agency] | None = None, **fields: Any) -> BatchItem:
    """Change an item; any change puts its review back to pending (a rejected item must be changed or removed)."""
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以编辑批次事项。"))
    locked = _lock_editable(item.batch)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "package" in fields:
        _check_package(fields["package"], locked)
    fresh = BatchItem.objects.select_for_update().get(pk=item.pk)
    changed = {}
    for name, value in fields.items():
        if name == "deferred_reason":
            value = value or ""
        if getattr(fresh, name) != value:
            changed[name] = value
            setattr(fresh, name, value)
    if townships is not None:
        townships = _townships_only(townships)
        if {t.pk for t in townships} != set(fresh.townships.values_list("pk", flat=True)):
            fresh.townships.set(townships)
            changed["townships"] = [t.name for t in townships]
    if not changed:
        return _validated(fresh, locked)
    fresh.save()
    if fresh.review_status != ReviewStatus.PENDING:
        perform_transition(fresh, "reopen_review", by=by)
    saved = _validated(fresh, locked)
    record_event(locked, "item_update", by=by, data=_event_data(item=saved.label, **changed))
    return saved


@transaction.atomic
def item_remove(item: BatchItem, *, by) -> None:
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以编辑批次事项。"))
    locked = _lock_editable(item.batch)
    label = BatchItem.objects.select_related("matter").get(pk=item.pk).label
    BatchItem.objects.filter(pk=item.pk).delete()
    record_event(locked, "item_remove", by=by, data={"item": label})


@transaction.atomic
def package_create(batch: DevolutionBatch, *, by, name: str, description: str = "") -> Package:
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以编辑批次事项。"))
    locked = _lock_editable(batch)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写“一件事”名称。"), field="name")
    if Package.objects.filter(batch=locked, name=name).exists():
        raise ValidationFailed(_("本批次已有名为“%(name)s”的事项包。") % {"name": name}, field="name")
    package = Package.objects.create(batch=locked, name=name, description=description)
    record_event(locked, "package_create", by=by, data={"package": name})
    return package


@transaction.atomic
def assessment_save(
    item: BatchItem, *, by, assessed_on: dt.date, experts: str, conclusion: str, summary: str = "", opinion_file=None,
) -> Assessment:
    """Record (or replace) the expert assessment of an item; the opinion file is required."""
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以录入评估材料。"))
    locked = _lock_editable(item.batch)
    existing = Assessment.objects.filter(item=item).first()
    fields: dict[str, list[str]] = {}
    if not (experts or "").strip():
        fields.setdefault("experts", []).append(_("请填写评估专家。"))
    if conclusion not in AssessmentConclusion.values:
        fields.setdefault("conclusion", []).append(_("请选择评估结论。"))
    if opinion_file is None and not (existing and existing.opinion_file):
        fields.setdefault("opinion_file", []).append(_("请上传评估意见书。"))
    if assessed_on is None:
        fields.setdefault("assessed_on", []).append(_("请填写评估日期。"))
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    assessment = existing or Assessment(item=item, created_by=by)
    assessment.assessed_on, assessment.experts = assessed_on, experts
    assessment.conclusion, assessment.summary = conclusion, summary
    if opinion_file is not None:
        assessment.opinion_file = opinion_file
    assessment.save()
    record_event(locked, "assessment", by=by, data=_event_data(
        item=BatchItem.objects.select_related("matter").get(pk=item.pk).label, assessed_on=assessed_on,
        conclusion=assessment.get_conclusion_display(),
    ))
    return assessment


@transaction.atomic
def statutory_record_save(
    item: BatchItem, *, by, kind: str, document_no: str, issued_on: dt.date, file=None,
) -> StatutoryRecord:
    """Record one of the four documents a statutory item needs (each with its number and date)."""
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以录入依法下放材料。"))
    locked = _lock_editable(item.batch)
    fields: dict[str, list[str]] = {}
    if kind not in StatutoryKind.values:
        fields["kind"] = [_("请选择材料类型。")]
    if not (document_no or "").strip():
        fields["document_no"] = [_("请填写文号。")]
    if issued_on is None:
        fields["issued_on"] = [_("请填写日期。")]
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    record, _created = StatutoryRecord.objects.update_or_create(
        item=item, kind=kind, defaults={"document_no": document_no.strip(), "issued_on": issued_on, "created_by": by},
    )
    if file is not None:
        record.file = file
        record.save(update_fields=["file"])
    record_event(locked, "statutory_record", by=by, data=_event_data(
        item=BatchItem.objects.select_related("matter").get(pk=item.pk).label, kind=record.get_kind_display(),
        document_no=record.document_no, issued_on=issued_on,
    ))
    return record


@transaction.atomic
def agreement_save(
    batch: DevolutionBatch,
    *,
    by,
    department: Agency,
    townships: Iterable[Agency],
    scope: str,
    term_from: dt.date,
    term_to: dt.date,
    file,
    document_no: str = "",
) -> EntrustmentAgreement:
    """Record an entrustment agreement of a department with townships (委托协议, with its text attached)."""
    _require(perms.can_manage_batches(by), _("只有执法局管理人员可以录入委托协议。"))
    locked = _lock_editable(batch)
    townships = _townships_only(townships)
    fields: dict[str, list[str]] = {}
    if department is None or department.kind != AgencyKind.DEPARTMENT:
        fields["department"] = [_("委托部门须为业务主管部门。")]
    if not townships:
        fields["townships"] = [_("请选择受委托的乡镇（街道）。")]
    if not (scope or "").strip():
        fields["scope"] = [_("请填写委托范围。")]
    if term_from is None or term_to is None:
        fields["term_to"] = [_("请填写委托期限。")]
    elif term_to < term_from:
        fields["term_to"] = [_("委托期限止不能早于委托期限起。")]
    if not file:
        fields["file"] = [_("请上传协议文本。")]
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)
    agreement = EntrustmentAgreement.objects.create(
        batch=locked, department=department, scope=scope, term_from=term_from, term_to=term_to, file=file,
        document_no=document_no, created_by=by,
    )
    agreement.townships.set(townships)
    record_event(locked, "agreement", by=by, data=_event_data(
        department=department.name, townships=[t.name for t in townships], term_from=term_from, term_to=term_to,
    ))
    return agreement


