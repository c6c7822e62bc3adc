"""Enacting a batch (grants written through enforcement.catalogue.powers) and revoking items or whole batches."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from devolution import permissions as perms
from devolution.models import (
    BatchItem,
    BatchStatus,
    DevolutionBatch,
    EnactedGrant,
    ItemMode,
    ItemState,
    ReviewStatus,
)
from devolution.rules import BatchContext, agreement_for, load_context
from devolution.services._common import (
    User,
    _detail_url,
    _event_data,
    _lock,
    _require,
    _today,
)
from enforcement.catalogue.powers import end_grant, grant_power, holder_of
from enforcement.errors import Conflict, InvalidTransition, NotFound, PermissionRefused, ValidationFailed
from enforcement.models import Agency, GrantMode, GrantSource, Role
from enforcement.notifications import notify_many
from enforcement.workflow import perform_transition, record_event


def _grant_plan(item: BatchItem, ctx: BatchContext) -> list[tuple[Agency, Agency, str, Agency | None, dt.date | None]]:
    """(township, holder, mode, acting_for, valid_to) for each township of an item."""
    plan = []
    for township in item.townships.all():
        if item.mode == ItemMode.DEVOLVED:
            plan.append((township, township, GrantMode.DEVOLVED, None, None))
        elif item.mode == ItemMode.ENTRUSTED:
            # The township acts in the department's name, for the agreement's term.
            agreement = agreement_for(item, township, ctx)
            if agreement is None:
                raise ValidationFailed(
                    _("事项“%(matter)s”在%(township)s缺少委托协议，不能实施。")
                    % {"matter": item.label, "township": township.name}
                )
            plan.append((township, township, GrantMode.ENTRUSTED, item.matter.origin_department, agreement.term_to))
        elif item.mode == ItemMode.STATIONED:
            squadrons = ctx.squadrons.get(township.pk) or []
            if not squadrons:
                raise ValidationFailed(
                    _("事项“%(matter)s”采用派驻方式，但%(township)s没有派驻中队，不能实施。")
                    % {"matter": item.label, "township": township.name}
                )
            plan.append((township, squadrons[0], GrantMode.STATIONED, None, None))
        elif item.mode == ItemMode.HUB_AND_SPOKE:
            hub = item.hub_township
            if township.pk == hub.pk:
                # The hub holds the power in its own territory in its own name.
                plan.append((township, hub, GrantMode.DEVOLVED, None, None))
            else:
                plan.append((township, hub, GrantMode.HUB_AND_SPOKE, township, None))
    return plan


def _enact_items(batch: DevolutionBatch, *, by, start: dt.date) -> int:
    """Write the grants of every approved, non-deferred, active item; skip those already written."""
    ctx = load_context(batch, with_readiness=False)
    done = set(EnactedGrant.objects.filter(item__batch=batch).values_list("item_id", "township_id"))
    reason = _("赋权批次 %(batch)s 自 %(day)s 起生效，由新的授权替代") % {
        "batch": batch.number, "day": start.isoformat(),
    }
    written = 0
    for item in ctx.items:
        if not item.enacts or item.state != ItemState.ACTIVE or item.review_status != ReviewStatus.APPROVED:
            continue
        for township, holder, mode, acting_for, valid_to in _grant_plan(item, ctx):
            if (item.pk, township.pk) in done:
                continue
            current = holder_of(item.matter, township, on=start)
            replaced = replaced_valid_to = None
            if current is not None and current.grant.township_id == township.pk:
                # A township grant applies: end it. A county-wide one is left alone, since
                # holder_of prefers the township grant we are about to write.
                replaced, replaced_valid_to = current.grant, current.grant.valid_to
                end_grant(replaced, on=start, by=by, reason=reason)
            grant = grant_power(
                item.matter, holder, mode, township=township, valid_from=start, valid_to=valid_to,
                source_kind=GrantSource.BATCH, source_ref=batch.number, source_batch_id=batch.pk,
                acting_for=acting_for, by=by,
                note=_("赋权批次 %(batch)s：%(category)s")
                % {"batch": batch.number, "category": item.get_category_display()},
            )
            EnactedGrant.objects.create(
                item=item, township=township, grant=grant, replaced_grant=replaced, replaced_valid_to=replaced_valid_to
            )
            written += 1
    return written


def batch_enact(batch: DevolutionBatch, *, by, on: dt.date | None = None) -> DevolutionBatch:
    """Put a published batch in force on day ``on`` (default today): write its grants in one transaction.

    Grants apply from the effective date, or from ``on`` when the batch is
    enacted late, so that answers about days already past never change.
    Enacting a batch already in force changes nothing.
    """
    day = on or _today()
    current = DevolutionBatch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
    if current is None:
        raise NotFound()
    if current == BatchStatus.IN_FORCE:
        # Enacting twice changes nothing, but only for whoever may enact: anyone else is refused as
        # the transition would refuse them (the API answered 200 to a township officer here).
        if by is not None and not perms.perm_administer(batch, by):
            raise PermissionRefused(_("您没有权限执行“%(action)s”。") % {"action": _("实施生效")})
        return DevolutionBatch.objects.get(pk=batch.pk)
    if current == BatchStatus.PUBLISHED and batch.effective_date > day:
        raise InvalidTransition(
            _("批次“%(batch)s”的生效日期为 %(date)s，尚未到期，不能实施。")
            % {"batch": batch.number, "date": batch.effective_date.isoformat()}
        )
    start = max(batch.effective_date, day)

    def apply(locked: DevolutionBatch) -> None:
        _enact_items(locked, by=by, start=start)

    def tell_townships(locked: DevolutionBatch) -> None:
        leaders = User.objects.filter(
            memberships__agency__in=locked.townships.all(), memberships__role=Role.TOWNSHIP_LEADER,
            memberships__is_active=True, is_active=True,
        ).distinct()
        notify_many(
            leaders, reason="devolution_in_force", subject=locked,
            title=_("赋权批次“%(batch)s”已生效") % {"batch": locked},
            body=_("自 %(day)s 起，本批次下放的行政执法事项由承接单位实施。") % {"day": start.isoformat()},
            url=_detail_url(locked),
        )

    try:
        return perform_transition(
            batch, "enact", by=by, on=day, apply=apply, public=True, on_commit=tell_townships,
            data={"grants_from": start.isoformat()},
        )
    except Conflict:
        # Someone (or the periodic task) enacted it in the meantime: enacting twice changes nothing.
        fresh = DevolutionBatch.objects.get(pk=batch.pk)
        if fresh.status == BatchStatus.IN_FORCE:
            return fresh
        raise


def enact_due_batches(*, on: dt.date | None = None) -> list[str]:
    """Enact every published batch whose effective date has arrived (the periodic task; idempotent)."""
    day = on or _today()
    done = []
    for batch in DevolutionBatch.objects.filter(status=BatchStatus.PUBLISHED, effective_date__lte=day).order_by(
        "effective_date", "pk"
    ):
        batch_enact(batch, by=None, on=day)
        done.append(batch.number)
    return done


# --- revoking ------------------------------------------------------------------------


def _check_revocation(on: dt.date, reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationFailed(_("撤销须写明理由。"), field="reason")
    if on is None:
        raise ValidationFailed(_("请填写撤销日期。"), field="on")
    if on < _today():
        # Past answers of holder_of never change: a revocation applies from today at the earliest.
        raise ValidationFailed(
            _("撤销日期 %(day)s 早于今天；已经过去的日期由谁执法不能再改变。") % {"day": on.isoformat()}, field="on"
        )


def _revoke_item_grants(item: BatchItem, *, on: dt.date, by, reason: str) -> int:
    """End the item's grants from ``on`` and restore the holders they replaced."""
    ended = 0
    rows = EnactedGrant.objects.filter(item=item).select_related(
        "grant", "township", "replaced_grant", "replaced_grant__holder", "replaced_grant__acting_for",
        "replaced_grant__matter",
    )
    for row in rows:
        grant = row.grant
        if grant.valid_to is not None and grant.valid_to < on:
            # Already ended before that day (a later batch replaced it, or its term ran out): nothing to restore.
            continue
        end_grant(grant, on=on, by=by, reason=reason)
        ended += 1
        previous = row.replaced_grant
        if previous is None:
            # The county-wide grant (or nobody) applied before: ending the township grant restores it.
            continue
        restore_from = max(on, grant.valid_from)
        if row.replaced_valid_to is not None and row.replaced_valid_to < restore_from:
            continue  # the replaced grant would have ended by then anyway
        restored = grant_power(
            previous.matter, previous.holder, previous.mode, township=row.township, valid_from=restore_from,
            valid_to=row.replaced_valid_to, source_kind=previous.source_kind, source_ref=previous.source_ref,
            source_batch_id=previous.source_batch_id, acting_for=previous.acting_for, by=by,
            note=_("撤销赋权批次 %(batch)s 事项后恢复原授权") % {"batch": item.batch.number},
        )
        # An earlier batch item whose grant this was now holds the restored one.
        EnactedGrant.objects.filter(grant=previous).update(grant=restored)
    return ended


def _revoke_items(batch: DevolutionBatch, items: list[BatchItem], *, on: dt.date, by, reason: str) -> int:
    ended = 0
    for item in items:
        item.batch = batch
        ended += _revoke_item_grants(item, on=on, by=by, reason=reason)
        perform_transition(item, "revoke", by=by, note=reason, on=on, reason=reason, data={"on": on.isoformat()})
    return ended


def item_revoke(item: BatchItem, *, on: dt.date, by, reason: str) -> list[BatchItem]:
    """Revoke an enacted item from ``on``; an integrated item takes its whole package with it."""
    _require(perms.is_administrator(by), _("只有系统管理员可以撤销已生效的赋权事项。"))
    _check_revocation(on, reason)
    with transaction.atomic():
        batch = _lock(item.batch)
        if batch.status != BatchStatus.IN_FORCE:
            raise InvalidTransition(
                _("批次“%(batch)s”当前状态为“%(state)s”，只有已生效批次的事项可以撤销。")
                % {"batch": batch.number, "state": batch.get_status_display()}
            )
        fresh = BatchItem.objects.select_related("matter", "package").get(pk=item.pk)
        if fresh.state == ItemState.REVOKED:
            raise InvalidTransition(_("事项“%(matter)s”已于 %(day)s 撤销。")
                                    % {"matter": fresh.label, "day": fresh.revoked_on.isoformat()})
        if fresh.package_id:
            # Integrated ("one thing"): the package stands or falls whole.
            items = list(BatchItem.objects.filter(package_id=fresh.package_id, state=ItemState.ACTIVE)
                         .select_related("matter").order_by("id"))
        else:
            items = [fresh]
        ended = _revoke_items(batch, items, on=on, by=by, reason=reason)
        record_event(
            batch, "item_revoke", by=by, note=reason,
            data=_event_data(items=[i.label for i in items], on=on, grants_ended=ended),
        )
    return items


def batch_revoke(batch: DevolutionBatch, *, on: dt.date, by, reason: str) -> DevolutionBatch:
    """Revoke a whole batch in force from ``on``: end every grant it made, restore the previous holders."""
    _check_revocation(on, reason)

    def apply(locked: DevolutionBatch) -> None:
        items = list(BatchItem.objects.filter(batch=locked, state=ItemState.ACTIVE).select_related("matter"))
        _revoke_items(locked, items, on=on, by=by, reason=reason)

    return perform_transition(batch, "revoke", by=by, note=reason, on=on, reason=reason, apply=apply, public=True,
                              data={"on": on.isoformat()})


