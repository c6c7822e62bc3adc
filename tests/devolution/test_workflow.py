"""Batch workflow: transitions through the shared helper, history, reviews, all-or-nothing approval, permissions."""

from __future__ import annotations

import pytest

from devolution import services
from devolution.models import BatchItem, BatchStatus, Category, DevolutionBatch, ReviewOpinion, ReviewStatus
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import Event, Notification, Role
from tests.devolution.helpers import (
    add_assessment,
    add_item,
    approve,
    make_batch,
    staff_township,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(dv):
    b = make_batch(dv.admin, [dv.town_a, dv.town_b])
    add_item(b, dv.admin, dv.matters[0], [dv.town_a, dv.town_b])
    return b


def in_review(batch, dv):
    batch = services.batch_submit(batch, by=dv.admin)
    return services.batch_start_review(batch, by=dv.reviewer)


def test_every_transition_is_an_event_on_the_batch_history(dv, batch):
    batch = approve(batch, dv.admin, dv.reviewer)
    batch = services.batch_publish(batch, by=dv.admin)
    batch = services.batch_enact(batch, by=dv.admin)

    events = list(Event.objects.for_object(batch))
    transitions = [(e.action, e.from_state, e.to_state) for e in events if e.from_state != e.to_state]
    assert transitions == [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("approve", "under_review", "approved"),
        ("publish", "approved", "published"),
        ("enact", "published", "in_force"),
    ]
    assert [e.action for e in events][:2] == ["create", "item_add"]
    assert next(e for e in events if e.action == "approve").actor == dv.reviewer


def test_submitting_an_empty_batch_is_refused(dv):
    empty = make_batch(dv.admin, [dv.town_a], number="2026-9")

    with pytest.raises(ValidationFailed) as exc:
        services.batch_submit(empty, by=dv.admin)

    assert "没有任何事项" in exc.value.message
    empty.refresh_from_db()
    assert empty.status == BatchStatus.DRAFT


def test_submitting_notifies_the_reviewers_once(dv, batch, department_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_submit(batch, by=dv.admin)
    batch = services.batch_return(batch, by=dv.reviewer, text="补充材料")
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_submit(batch, by=dv.admin)

    notified = set(Notification.objects.filter(reason="devolution_review_requested").values_list(
        "recipient__username", flat=True))
    assert notified == {"judicial_reviewer", "bb_staff", "dept_staff"}
    assert Notification.objects.filter(reason="devolution_review_requested").count() == 3


def test_approval_lists_every_blocking_problem_at_once_and_changes_nothing(dv, county):
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b])
    weak = county.town_b
    assessed = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.ASSESSED, cases=0)
    statutory = add_item(batch, dv.admin, dv.matters[1], [dv.town_b], category=Category.STATUTORY)
    rejected = add_item(batch, dv.admin, dv.matters[2], [dv.town_a])
    # Township B loses its legal reviewers.
    weak.memberships.filter(role=Role.LEGAL_REVIEWER).update(is_active=False)
    batch = in_review(batch, dv)
    services.item_review(rejected, by=dv.reviewer, decision="reject", text="依据不足")
    events_before = Event.objects.count()

    with pytest.raises(ValidationFailed) as exc:
        services.batch_approve(batch, by=dv.reviewer)

    problems = exc.value.fields["problems"]
    assert len(problems) == 1 + 4 + 1 + 1  # assessment, four statutory records, rejected item, readiness
    text = exc.value.message
    assert "ZRZY-0001" in text and "专家评估" in text
    assert "ZRZY-0002" in text and "乙街道" in text and "司法行政部门同意意见" in text
    assert "ZRZY-0003" in text and "不同意" in text
    assert "乙街道：法制审核人员 0 人，少于要求的 1 人（差 1 人）" in text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDER_REVIEW
    assert set(BatchItem.objects.values_list("review_status", flat=True)) == {"pending", "rejected"}
    assert Event.objects.count() == events_before
    assert not ReviewOpinion.objects.filter(decision="approve").exists()
    assert [assessed.pk, statutory.pk]  # named in the message above


def test_rejected_item_blocks_until_changed_and_editing_resets_review_to_pending(dv, batch):
    batch = in_review(batch, dv)
    item = batch.items.get()
    services.item_review(item, by=dv.reviewer, decision="reject", text="请补充理由")

    with pytest.raises(ValidationFailed):
        services.batch_approve(batch, by=dv.reviewer)

    edited = services.item_update(item, by=dv.admin, rationale="补充：近三年案件 12 件，均由乡镇发现")
    assert edited.review_status == ReviewStatus.PENDING
    batch = services.batch_approve(batch, by=dv.reviewer)
    assert batch.status == BatchStatus.APPROVED
    assert BatchItem.objects.get().review_status == ReviewStatus.APPROVED


def test_removing_a_rejected_item_unblocks_approval(dv, batch):
    keep = add_item(batch, dv.admin, dv.matters[1], [dv.town_a])
    batch = in_review(batch, dv)
    bad = batch.items.exclude(pk=keep.pk).get()
    services.item_review(bad, by=dv.reviewer, decision="reject", text="不宜下放")

    services.item_remove(bad, by=dv.admin)

    assert services.batch_approve(batch, by=dv.reviewer).status == BatchStatus.APPROVED
    assert Event.objects.for_object(batch).filter(action="item_remove").exists()


def test_approval_is_unblocked_once_the_missing_record_arrives(dv):
    batch = make_batch(dv.admin, [dv.town_a])
    item = add_item(batch, dv.admin, dv.matters[0], [dv.town_a], category=Category.ASSESSED, cases=0)
    batch = in_review(batch, dv)
    with pytest.raises(ValidationFailed):
        services.batch_approve(batch, by=dv.reviewer)

    add_assessment(item, dv.admin)

    assert services.batch_approve(batch, by=dv.reviewer).status == BatchStatus.APPROVED


def test_items_cannot_change_after_approval(dv, batch):
    batch = approve(batch, dv.admin, dv.reviewer)

    with pytest.raises(InvalidTransition) as exc:
        add_item(batch, dv.admin, dv.matters[1], [dv.town_a])
    assert "已批准" in exc.value.message
    with pytest.raises(InvalidTransition):
        services.item_remove(batch.items.get(), by=dv.admin)


def test_reviewers_record_opinions_per_item_and_per_batch_with_events(dv, batch, department_staff):
    batch = in_review(batch, dv)
    item = batch.items.get()

    services.item_review(item, by=department_staff, decision="comment", text="请明确监管责任")
    services.item_review(item, by=dv.establishment_staff, decision="approve")
    services.batch_review(batch, by=dv.reviewer, decision="approve", text="同意")

    opinions = list(ReviewOpinion.objects.order_by("id").values_list("reviewer__username", "item", "decision"))
    assert opinions == [("dept_staff", item.pk, "comment"), ("bb_staff", item.pk, "approve"),
                        ("judicial_reviewer", None, "approve")]
    assert ReviewOpinion.objects.first().agency == dv.department
    assert Event.objects.for_object(batch).filter(action="review").count() == 3
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.APPROVED


def test_rejecting_the_whole_batch_sends_it_back_to_draft_and_tells_the_author_each_time(
        dv, batch, django_capture_on_commit_callbacks):
    batch = in_review(batch, dv)

    with django_capture_on_commit_callbacks(execute=True):
        services.batch_review(batch, by=dv.establishment_staff, decision="reject", text="编制依据不足")

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    event = Event.objects.for_object(batch).get(action="return_for_changes")
    assert event.note == "编制依据不足"
    batch = in_review(batch, dv)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_return(batch, by=dv.reviewer, text="仍需补充")
    assert list(Notification.objects.filter(recipient=dv.admin).order_by("id").values_list("body", flat=True)) == [
        "编制依据不足", "仍需补充"]


def test_reviews_need_a_reason_unless_approving_and_only_during_review(dv, batch):
    item = batch.items.get()
    with pytest.raises(InvalidTransition):
        services.item_review(item, by=dv.reviewer, decision="approve")
    batch = in_review(batch, dv)
    with pytest.raises(ValidationFailed):
        services.item_review(item, by=dv.reviewer, decision="reject", text=" ")


def test_wrong_roles_are_refused(dv, batch, dispatcher, officer_a, department_staff, county):
    from tests.factories import AgencyFactory

    other_dept = AgencyFactory(code="DEPT-X", name="县商务局", kind="department")
    outsider = member(Role.DEPARTMENT_STAFF, other_dept, "other_staff")

    with pytest.raises(PermissionRefused):
        make_batch(dispatcher, [dv.town_a], number="2026-8")
    with pytest.raises(PermissionRefused):
        add_item(batch, officer_a, dv.matters[1], [dv.town_a])
    with pytest.raises(PermissionRefused):
        services.batch_submit(batch, by=officer_a)
    batch = in_review(batch, dv)
    item = batch.items.get()
    with pytest.raises(PermissionRefused):
        services.item_review(item, by=officer_a, decision="approve")
    with pytest.raises(PermissionRefused):
        services.item_review(item, by=outsider, decision="approve")
    # Department staff review; only a judicial reviewer or an administrator approves.
    with pytest.raises(PermissionRefused):
        services.batch_approve(batch, by=department_staff)
    batch = services.batch_approve(batch, by=dv.admin)
    with pytest.raises(PermissionRefused):
        services.batch_publish(batch, by=dv.reviewer)
    batch = services.batch_publish(batch, by=dv.admin)
    with pytest.raises(PermissionRefused):
        services.batch_enact(batch, by=dv.reviewer)


def test_withdrawing_is_possible_from_every_state_before_in_force(dv, batch):
    batch = approve(batch, dv.admin, dv.reviewer)
    batch = services.batch_publish(batch, by=dv.admin)
    with pytest.raises(ValidationFailed):
        services.batch_withdraw(batch, by=dv.admin, reason="")

    batch = services.batch_withdraw(batch, by=dv.admin, reason="省级决定调整")

    assert (batch.status, batch.end_reason) == (BatchStatus.WITHDRAWN, "省级决定调整")
    with pytest.raises(InvalidTransition):
        services.batch_enact(batch, by=dv.admin)


def test_in_force_batch_cannot_be_withdrawn(dv, batch):
    from tests.devolution.helpers import enact

    batch = enact(batch, dv.admin, dv.reviewer)

    with pytest.raises(InvalidTransition):
        services.batch_withdraw(batch, by=dv.admin, reason="晚了")


def test_batch_number_is_unique_and_townships_must_be_townships(dv):
    make_batch(dv.admin, [dv.town_a], number="2026-5")
    with pytest.raises(ValidationFailed) as exc:
        make_batch(dv.admin, [dv.town_a], number="2026-5")
    assert "number" in exc.value.fields
    with pytest.raises(ValidationFailed):
        make_batch(dv.admin, [dv.department], number="2026-6")


def test_narrowing_the_batch_townships_is_refused_while_an_item_uses_them(dv, batch):
    with pytest.raises(ValidationFailed) as exc:
        services.batch_update(batch, by=dv.admin, townships=[dv.town_a])

    assert "乙街道" in exc.value.message
    updated = services.batch_update(batch, by=dv.admin, title="新标题")
    assert updated.title == "新标题"
    assert Event.objects.for_object(batch).filter(action="update").count() == 1


def test_visibility_follows_townships_departments_and_status(dv, batch, officer_a, officer_b, department_staff,
                                                             county):
    lonely = make_batch(dv.admin, [dv.town_b], number="2026-2")
    add_item(lonely, dv.admin, dv.matters[1], [dv.town_b])
    staff_township(county.town_a)  # unrelated rows do not widen anything

    # Drafts are for the bureau (and county-wide reviewers) only.
    assert list(DevolutionBatch.objects.visible_to(officer_a)) == []
    assert list(DevolutionBatch.objects.visible_to(dv.establishment_staff)) == []
    services.batch_submit(batch, by=dv.admin)
    services.batch_submit(lonely, by=dv.admin)

    assert set(DevolutionBatch.objects.visible_to(officer_a)) == {batch}
    assert set(DevolutionBatch.objects.visible_to(officer_b)) == {batch, lonely}
    assert set(DevolutionBatch.objects.visible_to(department_staff)) == {batch, lonely}
    assert set(DevolutionBatch.objects.visible_to(dv.establishment_staff)) == {batch, lonely}
    assert DevolutionBatch.objects.visible_to(dv.reviewer).count() == 2


# --- an item's sub-states go through the workflow helper too ---------------------------------------


def _item_transitions(item) -> list[tuple[str, str, str, str]]:
    return [(e.action, e.from_state, e.to_state, e.actor.username if e.actor_id else "")
            for e in Event.objects.for_object(item).order_by("id")]


def test_an_items_review_result_changes_only_through_transitions_each_with_its_event(dv, batch, department_staff):
    batch = in_review(batch, dv)
    item = batch.items.get()

    services.item_review(item, by=department_staff, decision="reject", text="请补充监管责任")
    services.item_review(item, by=dv.reviewer, decision="approve")
    services.item_review(item, by=dv.establishment_staff, decision="approve")  # already approved: no change
    services.item_update(item, by=dv.admin, rationale="补充理由")
    services.batch_approve(batch, by=dv.reviewer)

    assert _item_transitions(item) == [
        ("review_reject", "pending", "rejected", "dept_staff"),
        ("review_approve", "rejected", "approved", "judicial_reviewer"),
        ("reopen_review", "approved", "pending", dv.admin.username),
        ("approve_with_batch", "pending", "approved", "judicial_reviewer"),
    ]


def test_an_items_sub_states_cannot_be_assigned_directly(dv, batch):
    item = BatchItem.objects.get()

    with pytest.raises(AttributeError):
        item.review_status = ReviewStatus.APPROVED
    with pytest.raises(AttributeError):
        item.state = "revoked"


def test_approving_a_batch_approves_each_pending_item_with_its_own_event(dv, batch):
    add_item(batch, dv.admin, dv.matters[1], [dv.town_a])
    batch = in_review(batch, dv)
    first = batch.items.order_by("id").first()
    services.item_review(first, by=dv.reviewer, decision="approve")

    services.batch_approve(batch, by=dv.reviewer)

    assert set(BatchItem.objects.values_list("review_status", flat=True)) == {ReviewStatus.APPROVED}
    actions = {item.pk: [a for a, *_rest in _item_transitions(item)] for item in BatchItem.objects.all()}
    assert sorted(actions.values()) == [["approve_with_batch"], ["review_approve"]]


def test_a_reviewer_of_another_department_cannot_decide_an_item(dv, batch, county):
    from enforcement.models import AgencyKind
    from tests.factories import AgencyFactory

    other = AgencyFactory(code="HB", name="县生态环境局", kind=AgencyKind.DEPARTMENT)
    outsider = member(Role.DEPARTMENT_STAFF, other, "hb_staff")
    batch = in_review(batch, dv)
    item = batch.items.get()

    with pytest.raises(PermissionRefused):
        services.item_review(item, by=outsider, decision="approve")

    item.refresh_from_db()
    assert item.review_status == ReviewStatus.PENDING and _item_transitions(item) == []
