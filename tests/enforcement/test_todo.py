"""The to-do list (待办事项): cases on it, the page, the menu badge, the API, and plugging in a subject."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enforcement import todo
from enforcement.cases.services import lifecycle as svc
from enforcement.models import Role
from tests.enforcement.cases_support import filed, lead, noticed, world
from tests.factories import member

__all__ = ["world"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def kinds(user) -> dict[str, str]:
    return {i.reference: i.kind for i in todo.todo_for(user)}


def test_a_lead_waits_to_be_filed_by_its_township_only(world):
    case = lead(world)
    assert kinds(world.officer_a)[case.number] == "cases.file"
    assert case.number not in kinds(world.officer_b)
    filed_case = filed(world)
    assert kinds(world.officer_a)[filed_case.number] == "cases.decide"


def test_legal_review_waits_for_the_reviewer_and_leaves_when_passed(world):
    case = svc.case_submit_review(noticed(world), by=world.officer_a)
    assert kinds(world.legal_a)[case.number] == "cases.legal_review"
    other_township_reviewer = member(Role.LEGAL_REVIEWER, world.county.town_b, "legal_b", certified=True)
    assert case.number not in kinds(other_township_reviewer)
    svc.case_pass_review(case, by=world.legal_a, opinion="事实清楚，证据确凿，同意。")
    assert kinds(world.legal_a).get(case.number) != "cases.legal_review"


def test_todo_page_and_badge_show_the_same_items(world, client_for):
    lead(world)
    client = client_for(world.officer_a)
    page = client.get(reverse("todo"))
    assert page.status_code == 200 and 'data-kind="cases.file"' in page.content.decode()
    badge = client.get(reverse("todo-badge")).content.decode()
    assert 'id="todo-badge"' in badge and ">1<" in badge.replace(" ", "")
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="todo-list"' in home and reverse("todo-badge") in home


def test_api_lists_the_todo_and_is_in_the_schema(world, api_for, client):
    case = lead(world)
    body = api_for(world.officer_a).get("/api/todo/").json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["reference"] == case.number and item["kind"] == "cases.file"
    assert set(item) >= {"category", "title", "url", "due", "overdue", "level", "detail"}
    assert api_for(world.officer_b).get("/api/todo/").json() == {"count": 0, "results": []}
    assert client.get("/api/todo/").status_code in (401, 403)
    schema = api_for(world.officer_a).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/todo/" in schema


def test_a_later_subject_plugs_in_with_one_provider(world, monkeypatch):
    monkeypatch.setattr(todo, "_PROVIDERS", dict(todo._PROVIDERS))
    todo.providers()  # discovered before registering, as at run time

    @todo.provider("supervision.rectification", roles={Role.TOWNSHIP_OFFICER})
    def rectifications(user, scope):
        yield todo.TodoItem(kind="supervision.rectification", category="整改通知待答复", title="案卷评查整改",
                            url="/", reference="ZG-1")

    assert kinds(world.officer_a) == {"ZG-1": "supervision.rectification"}
    assert kinds(world.legal_a) == {}
