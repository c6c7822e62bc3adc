"""Agency scope and per-object grants (ARCHITECTURE.md "Permissions")."""

from __future__ import annotations

import pytest
from django.http import Http404

from enforcement.access import get_visible_or_404, grant, has_grant, objects_granted, revoke, scope_for
from enforcement.models import Grid
from tests.factories import GridFactory


@pytest.fixture
def grids(county):
    return GridFactory(township=county.town_a), GridFactory(township=county.town_b)


def test_township_officer_sees_only_own_townships_grids(grids, officer_a):
    grid_a, grid_b = grids
    assert list(Grid.objects.visible_to(officer_a)) == [grid_a]
    assert get_visible_or_404(Grid, officer_a, pk=grid_a.pk) == grid_a
    with pytest.raises(Http404):
        get_visible_or_404(Grid, officer_a, pk=grid_b.pk)


def test_missing_and_out_of_scope_look_the_same(grids, officer_a):
    with pytest.raises(Http404) as missing:
        get_visible_or_404(Grid, officer_a, pk=999999)
    with pytest.raises(Http404) as hidden:
        get_visible_or_404(Grid, officer_a, pk=grids[1].pk)
    assert str(missing.value) == str(hidden.value)


def test_stationed_squadron_covers_its_township(grids, squadron_officer, county):
    scope = scope_for(squadron_officer)
    assert scope.township_ids == {county.town_a.pk}
    assert not scope.county_wide
    assert list(Grid.objects.visible_to(squadron_officer)) == [grids[0]]


def test_bureau_and_judicial_bureau_see_the_whole_county(grids, dispatcher, judicial_reviewer):
    for user in (dispatcher, judicial_reviewer):
        assert scope_for(user).county_wide
        assert Grid.objects.visible_to(user).count() == 2


def test_brigade_member_covers_squadrons_below_it(county):
    from tests.factories import member

    leader = member("squadron_leader", county.brigade, "brigade_leader")
    scope = scope_for(leader)
    assert county.squadron_a.pk in scope.agency_ids
    assert county.town_a.pk in scope.township_ids


def test_user_without_membership_sees_nothing(grids, db):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert Grid.objects.visible_to(nobody).count() == 0


def test_per_object_grant_with_guardian(grids, officer_b):
    grid_a = grids[0]
    assert not has_grant(officer_b, "view_grid", grid_a)
    grant("view_grid", officer_b, grid_a)
    assert has_grant(officer_b, "view_grid", grid_a)
    assert list(objects_granted(officer_b, "view_grid", Grid.objects.all())) == [grid_a]
    revoke("view_grid", officer_b, grid_a)
    assert not has_grant(type(officer_b).objects.get(pk=officer_b.pk), "view_grid", grid_a)
