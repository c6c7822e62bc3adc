"""The menu offers a role only pages it can open: every menu link answers 200 for every persona of the access matrix."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from bureau.access_matrix import ROLES
from enforcement.navigation import NAV_ENTRIES, NavEntry, nav_items_for, register
from tests.enforcement.cases_support import world  # noqa: F401  (fixture)
from tests.factories import GridFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(world, county, dispatcher, squadron_officer, judicial_reviewer, department_staff,  # noqa: F811
             administrator):
    """The signed-in personas of tests/test_access_matrix.py, one per role of bureau/access_matrix.py."""
    grid = GridFactory(township=county.town_a, code="TA-01", name="甲镇一网格")
    grid.member = UserFactory(username="grid_a1")
    grid.save(update_fields=["member"])
    found = {
        "officer_a": world.officer_a, "officer_b": world.officer_b, "leader_a": world.leader_a,
        "squadron": squadron_officer, "dispatcher": dispatcher, "legal": world.legal_a,
        "judicial": judicial_reviewer, "department": department_staff, "grid": grid.member,
        "admin": administrator,
    }
    assert set(found) | {"anonymous"} == set(ROLES)
    return found


def _menu(user) -> list[dict]:
    request = RequestFactory().get("/")
    request.user = user
    return nav_items_for(request)


def test_every_menu_link_answers_200_for_every_role(personas):
    refused = []
    opened = 0
    for role, user in personas.items():
        client = Client()
        client.force_login(user)
        items = _menu(user)
        assert items, role
        home = client.get("/").content.decode()
        for item in items:
            # The menu the page draws is the one checked here.
            assert f'href="{item["url"]}"' in home, (role, item["key"])
            # A link may redirect (the officer's "my assessment" goes to their own record), never to a refusal.
            response = client.get(item["url"], follow=True)
            opened += 1
            hops = [url for url, _code in response.redirect_chain]
            if response.status_code != 200 or any("/accounts/login/" in url for url in hops):
                refused.append(f'{role} {item["key"]} {item["url"]} {hops}: {response.status_code}')
    assert not refused, "\n".join(refused)
    assert opened > 60, opened  # every role has a menu of several entries


def test_anonymous_gets_no_menu():
    from django.contrib.auth.models import AnonymousUser

    assert _menu(AnonymousUser()) == []


def test_an_entry_with_a_predicate_is_shown_only_to_users_it_admits(personas, monkeypatch):
    # A role is not always enough (a township's legal reviewer is not the bureau's): an entry may
    # carry the predicate of its view, and the menu asks it.
    monkeypatch.setattr("enforcement.navigation.NAV_ENTRIES", list(NAV_ENTRIES))
    register(NavEntry("probe", "probe", "cases:list", visible=lambda user: user.username == "officer_a", order=999))
    assert "probe" in [i["key"] for i in _menu(personas["officer_a"])]
    assert "probe" not in [i["key"] for i in _menu(personas["leader_a"])]
