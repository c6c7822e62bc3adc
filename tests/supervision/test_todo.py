"""Case-file review on the to-do lists: files to score, notices to answer, answers to check."""

from __future__ import annotations

import pytest

from enforcement import todo
from supervision.choices import RectificationStatus
from supervision.models import Rectification
from supervision.services.plans import plan_publish
from supervision.services.rectification import item_answer, rectification_submit
from supervision.services.scoring import score_save, score_submit
from tests.supervision.conftest import score_all, score_of

pytestmark = pytest.mark.django_db


def _kinds(user, kind):
    return [i for i in todo.todo_for(user) if i.kind == kind]


def test_a_reviewer_sees_their_files_to_score_until_each_score_is_submitted(started, review):
    score = score_of(started, 1)
    reviewer = score.assignment.reviewer
    mine = _kinds(reviewer, "supervision.scoring")
    assigned = {s.pk for s in type(score).objects.filter(assignment__reviewer=reviewer,
                                                          assignment__sampled__plan=started)}
    assert {i.url.rstrip("/").rsplit("/", 1)[-1] for i in mine} == {str(pk) for pk in assigned}
    # Another reviewer's files never appear; a township officer has no scoring at all.
    others = {s.pk for s in type(score).objects.filter(assignment__sampled__plan=started)} - assigned
    assert not {i.url.rstrip("/").rsplit("/", 1)[-1] for i in mine} & {str(pk) for pk in others}
    assert _kinds(review.officer_a, "supervision.scoring") == []
    # A submitted score leaves the list at once.
    score = score_save(score, by=reviewer, deductions={}, vetoes={}, comment="")
    score_submit(score, by=reviewer)
    assert len(_kinds(reviewer, "supervision.scoring")) == len(mine) - 1


def test_the_agency_answers_its_notices_and_the_reviewer_checks_the_answers(started, review):
    score_all(started, {1: ({}, {"V2"}), 2: ({"D1": 10, "F1": 10, "B1": 5}, set()), 3: ({"H1": 5}, set())})
    plan_publish(started, by=review.lead)
    county = review.county
    officers = {county.town_a.pk: review.officer_a, county.town_b.pk: review.officer_b}
    notice = next(n for n in Rectification.objects.all() if n.agency_id in officers)
    officer = officers[notice.agency_id]
    stranger = review.officer_b if officer == review.officer_a else review.officer_a
    waiting = _kinds(officer, "supervision.rectification_answer")
    assert notice.number in [i.reference for i in waiting]
    # Another township never sees it.
    assert notice.number not in [i.reference for i in _kinds(stranger, "supervision.rectification_answer")]
    assert _kinds(notice.reviewer, "supervision.rectification_check") == []
    for it in notice.items.all():
        item_answer(it, by=officer, answer="已整改")
    rectification_submit(notice, by=officer)
    # Answered: it leaves the agency's list and waits for the reviewer who issued it.
    assert notice.number not in [i.reference for i in _kinds(officer, "supervision.rectification_answer")]
    assert [i.reference for i in _kinds(notice.reviewer, "supervision.rectification_check")] == [notice.number]
    assert Rectification.objects.get(pk=notice.pk).status == RectificationStatus.ANSWERED
