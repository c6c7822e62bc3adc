"""The townships' evaluations through the API: the same services and refusals as the township's page.

``/api/township-unit-evaluations/``: a township scores a unit that served it (stationed in it, or handled
one of its tickets in the period), changeable until the unit's rating of the period is published.
``/api/township-officer-evaluations/``: the township's yearly form of an officer stationed in it, once a year.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from enforcement.models import Event
from supervision.evaluation import services
from supervision.evaluation.models import RatingScheme, TownshipOfficerEvaluation, TownshipUnitEvaluation
from tests.supervision.evaluation.conftest import ticket

pytestmark = pytest.mark.django_db
UNITS = "/api/township-unit-evaluations/"
OFFICERS = "/api/township-officer-evaluations/"


def publish_rating(ev, unit):
    scheme = RatingScheme.objects.get(unit_kind=unit.kind)
    scores = {item.pk: (D("80"), "理由") for item in scheme.items.all()}
    return services.rating_publish(services.rating_save(period=ev.period, unit=unit, scores=scores, by=ev.bureau),
                                   by=ev.bureau)


def refused(response, status: int, code: str, field: str) -> dict:
    """The error body of a refusal: its status, its code and a message naming the field."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    assert field in body["fields"] and body["fields"][field] and body["message"], body
    return body


# --- units ---------------------------------------------------------------------------------------


def test_township_evaluates_the_squadron_stationed_in_it_and_amends_it(ev, api_for):
    api = api_for(ev.leader_a)
    created = api.post(UNITS, {"period": ev.period.pk, "unit": ev.squadron.pk, "score": "88", "comment": "响应快"},
                       format="json")
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert (body["township"], body["unit"], body["score"], body["comment"], body["frozen"]) == (
        ev.county.town_a.pk, ev.squadron.pk, "88.00", "响应快", False)
    assert body["by"] == ev.leader_a.username
    # The same form again changes the township's evaluation (200), it does not add one.
    again = api.post(UNITS, {"period": ev.period.pk, "unit": ev.squadron.pk, "score": "90"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["score"] == "90.00"
    amended = api.patch(f"{UNITS}{body['id']}/", {"comment": "响应及时"}, format="json")
    assert amended.status_code == 200, amended.content.decode()
    assert (amended.json()["score"], amended.json()["comment"]) == ("90.00", "响应及时")
    row = TownshipUnitEvaluation.objects.get()
    assert (row.score, row.comment, row.by) == (D("90"), "响应及时", ev.leader_a)
    assert Event.objects.filter(object_id=row.pk, action="evaluate").count() == 3
    assert api.get(f"{UNITS}{row.pk}/").json()["score"] == "90.00"


def test_a_unit_outside_the_township_area_is_refused_naming_the_unit(ev, api_for):
    # Township B: the squadron is stationed in A, and the department handled none of B's tickets in 2025.
    api = api_for(ev.officer_b)
    for unit in (ev.squadron, ev.department):
        body = refused(api.post(UNITS, {"period": ev.period.pk, "unit": unit.pk, "score": "60"}, format="json"),
                       403, "outside_area", "unit")
        assert unit.name in body["message"]
    # A ticket of B handled by the department in 2025 brings it into B's area.
    ticket(township=ev.county.town_b, unit=ev.department)
    assert api.post(UNITS, {"period": ev.period.pk, "unit": ev.department.pk, "score": "60"},
                    format="json").status_code == 201
    assert list(TownshipUnitEvaluation.objects.values_list("township", "unit")) == [
        (ev.county.town_b.pk, ev.department.pk)]


def test_wrong_role_or_township_is_refused_naming_the_township(ev, api_for, judicial_reviewer):
    form = {"period": ev.period.pk, "unit": ev.squadron.pk, "score": "70"}
    # Township B's officer filling township A's form.
    refused(api_for(ev.officer_b).post(UNITS, {**form, "township": ev.county.town_a.pk}, format="json"),
            403, "not_township", "township")
    # Not a township's officer or leader: the bureau, the squadron's own officer, the judicial bureau.
    for user in (ev.dispatcher, ev.bureau, ev.squad, judicial_reviewer):
        refused(api_for(user).post(UNITS, form, format="json"), 403, "not_township", "township")
    assert api_for(None).post(UNITS, form, format="json").status_code in (401, 403)
    assert not TownshipUnitEvaluation.objects.exists()


@pytest.mark.parametrize("score", ["100.01", "-1", "abc", None])
def test_a_score_outside_0_to_100_is_refused_naming_the_score(ev, api_for, score):
    form = {"period": ev.period.pk, "unit": ev.squadron.pk}
    if score is not None:
        form["score"] = score
    refused(api_for(ev.leader_a).post(UNITS, form, format="json"), 400, "validation_failed", "score")
    assert not TownshipUnitEvaluation.objects.exists()


def test_bad_references_are_refused_naming_the_field(ev, api_for):
    api = api_for(ev.leader_a)
    refused(api.post(UNITS, {"period": 999999, "unit": ev.squadron.pk, "score": "70"}, format="json"),
            400, "validation_failed", "period")
    refused(api.post(UNITS, {"period": ev.period.pk, "unit": 999999, "score": "70"}, format="json"),
            400, "validation_failed", "unit")
    # A township is not a unit that handles tickets: nothing to evaluate.
    refused(api.post(UNITS, {"period": ev.period.pk, "unit": ev.county.town_b.pk, "score": "70"}, format="json"),
            400, "validation_failed", "unit")
    refused(api.get(f"{UNITS}?period=x"), 400, "validation_failed", "period")
    assert not TownshipUnitEvaluation.objects.exists()


def test_a_published_rating_freezes_the_townships_evaluation(ev, api_for):
    api = api_for(ev.leader_a)
    row = api.post(UNITS, {"period": ev.period.pk, "unit": ev.squadron.pk, "score": "88"}, format="json").json()
    publish_rating(ev, ev.squadron)
    assert api.get(f"{UNITS}{row['id']}/").json()["frozen"] is True
    body = refused(api.post(UNITS, {"period": ev.period.pk, "unit": ev.squadron.pk, "score": "20"}, format="json"),
                   409, "rating_frozen", "period")
    assert "已公布" in body["message"]
    refused(api.patch(f"{UNITS}{row['id']}/", {"score": "20"}, format="json"), 409, "rating_frozen", "period")
    assert TownshipUnitEvaluation.objects.get().score == D("88")


def test_amending_another_townships_evaluation_is_404_and_the_bureau_may_not(ev, api_for):
    row = services.township_unit_evaluate(period=ev.period, township=ev.county.town_a, unit=ev.squadron, score=88,
                                          comment="", by=ev.leader_a)
    for user in (ev.officer_b, ev.squad):
        assert api_for(user).patch(f"{UNITS}{row.pk}/", {"score": "1"}, format="json").status_code == 404
    # The bureau reads every evaluation but does not write a township's judgement.
    refused(api_for(ev.dispatcher).patch(f"{UNITS}{row.pk}/", {"score": "1"}, format="json"),
            403, "not_township", "township")
    refused(api_for(ev.leader_a).patch(f"{UNITS}{row.pk}/", {"score": "101"}, format="json"),
            400, "validation_failed", "score")
    assert TownshipUnitEvaluation.objects.get().score == D("88")


def test_each_township_lists_its_own_evaluations_the_bureau_and_judicial_bureau_all(ev, api_for, judicial_reviewer):
    ticket(township=ev.county.town_b, unit=ev.department)
    a = services.township_unit_evaluate(period=ev.period, township=ev.county.town_a, unit=ev.squadron, score=88,
                                        comment="", by=ev.leader_a)
    b = services.township_unit_evaluate(period=ev.period, township=ev.county.town_b, unit=ev.department, score=70,
                                        comment="", by=ev.officer_b)

    def ids(user, query=""):
        response = api_for(user).get(f"{UNITS}{query}")
        assert response.status_code == 200, response.content.decode()
        return sorted(r["id"] for r in response.json()["results"])

    assert ids(ev.leader_a) == ids(ev.officer_a) == [a.pk]
    assert ids(ev.officer_b) == [b.pk]
    assert ids(ev.dispatcher) == ids(ev.bureau) == ids(judicial_reviewer) == sorted([a.pk, b.pk])
    assert ids(ev.squad) == []
    assert ids(ev.bureau, f"?unit={ev.department.pk}") == [b.pk]
    assert ids(ev.bureau, f"?township={ev.county.town_a.pk}&period={ev.period.pk}") == [a.pk]
    for user in (ev.officer_b, ev.squad):
        assert api_for(user).get(f"{UNITS}{a.pk}/").status_code == 404
    assert api_for(judicial_reviewer).get(f"{UNITS}{a.pk}/").status_code == 200


@pytest.mark.parametrize("extra", [1, 8])
def test_the_list_runs_in_constant_queries(ev, api_for, django_assert_max_num_queries, extra):
    from supervision.evaluation.models import EvaluationPeriod

    for n in range(extra):
        period = EvaluationPeriod.objects.create(name=f"P{n}", start=ev.period.start, end=ev.period.end)
        services.township_unit_evaluate(period=period, township=ev.county.town_a, unit=ev.squadron, score=80 + n,
                                        comment="", by=ev.leader_a)
    api = api_for(ev.leader_a)
    with django_assert_max_num_queries(8):
        response = api.get(UNITS)
    assert response.status_code == 200 and response.json()["count"] == extra


# --- officers ------------------------------------------------------------------------------------


def officer_form(ev, **over) -> dict:
    form = {"officer": ev.squad.pk, "year": timezone.localdate().year, "score": "92", "comments": "表现突出",
            "recommendation": "promote"}
    form.update(over)
    return form


def test_township_files_the_yearly_form_of_its_stationed_officer_once(ev, api_for):
    api = api_for(ev.leader_a)
    created = api.post(OFFICERS, officer_form(ev), format="json")
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert (body["officer"], body["township"], body["year"], body["score"], body["recommendation"]) == (
        ev.squad.pk, ev.county.town_a.pk, timezone.localdate().year, "92.00", "promote")
    assert body["recommendation_label"] == "建议提拔或重用" and body["by"] == ev.leader_a.username
    body = refused(api.post(OFFICERS, officer_form(ev, score="50"), format="json"), 409, "already_evaluated", "year")
    assert "每年只能填写一次" in body["message"]
    row = TownshipOfficerEvaluation.objects.get()
    assert (row.score, row.comments) == (D("92"), "表现突出")
    # Without a year the form is this year's; the recommendation is optional.
    row.delete()
    form = officer_form(ev)
    del form["year"], form["recommendation"]
    created = api.post(OFFICERS, form, format="json")
    assert created.status_code == 201 and created.json()["year"] == timezone.localdate().year
    assert created.json()["recommendation"] == ""


def test_an_officer_not_stationed_with_the_township_is_refused_naming_the_officer(ev, api_for):
    # Township B: the squadron officer is stationed in A.
    body = refused(api_for(ev.officer_b).post(OFFICERS, officer_form(ev), format="json"), 403, "outside_area",
                   "officer")
    assert "乙街道" in body["message"]
    # Township A's own officer is not a stationed officer at all.
    refused(api_for(ev.leader_a).post(OFFICERS, officer_form(ev, officer=ev.officer_a.pk), format="json"),
            403, "outside_area", "officer")
    assert not TownshipOfficerEvaluation.objects.exists()


def test_officer_form_wrong_role_is_refused_naming_the_township(ev, api_for):
    for user in (ev.dispatcher, ev.bureau, ev.squad):
        refused(api_for(user).post(OFFICERS, officer_form(ev), format="json"), 403, "not_township", "township")
    refused(api_for(ev.officer_b).post(OFFICERS, officer_form(ev, township=ev.county.town_a.pk), format="json"),
            403, "not_township", "township")
    assert not TownshipOfficerEvaluation.objects.exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"score": "100.5"}, "score"),
        ({"score": "-0.01"}, "score"),
        ({"comments": ""}, "comments"),
        ({"recommendation": "fire"}, "recommendation"),
        ({"officer": 999999}, "officer"),
        ({"year": "x"}, "year"),
    ],
)
def test_bad_officer_forms_are_refused_naming_the_field(ev, api_for, over, field):
    refused(api_for(ev.leader_a).post(OFFICERS, officer_form(ev, **over), format="json"), 400, "validation_failed",
            field)
    assert not TownshipOfficerEvaluation.objects.exists()


def test_a_year_not_begun_is_refused_by_the_service(ev, api_for):
    next_year = timezone.localdate().year + 1
    body = refused(api_for(ev.leader_a).post(OFFICERS, officer_form(ev, year=next_year), format="json"),
                   400, "validation_failed", "year")
    assert "尚未开始" in body["message"]
    assert not TownshipOfficerEvaluation.objects.exists()


def test_officer_forms_are_seen_by_the_township_the_officer_and_the_bureau_only(ev, api_for, judicial_reviewer):
    year = timezone.localdate().year
    row = services.township_officer_evaluate(officer=ev.squad, township=ev.county.town_a, year=year, score=90,
                                             comments="好", by=ev.leader_a)

    def ids(user):
        response = api_for(user).get(OFFICERS)
        assert response.status_code == 200, response.content.decode()
        return [r["id"] for r in response.json()["results"]]

    for user in (ev.leader_a, ev.officer_a, ev.squad, ev.dispatcher, ev.bureau):
        assert ids(user) == [row.pk], user
        assert api_for(user).get(f"{OFFICERS}{row.pk}/").status_code == 200
    for user in (ev.officer_b, judicial_reviewer):
        assert ids(user) == []
        assert api_for(user).get(f"{OFFICERS}{row.pk}/").status_code == 404
    assert api_for(ev.bureau).get(f"{OFFICERS}?year={year - 1}").json()["results"] == []
    assert api_for(ev.bureau).get(f"{OFFICERS}?officer={ev.squad.pk}").json()["count"] == 1
    # Nothing to change afterwards: the form is filed once (no PATCH).
    assert api_for(ev.leader_a).patch(f"{OFFICERS}{row.pk}/", {"score": "1"}, format="json").status_code == 405


def test_the_schema_documents_both_endpoints(api_for, ev):
    paths = api_for(ev.bureau).get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths[UNITS]) and {"get", "patch"} <= set(paths[UNITS + "{id}/"])
    assert {"get", "post"} <= set(paths[OFFICERS]) and "get" in paths[OFFICERS + "{id}/"]
    assert "409" in paths[UNITS]["post"]["responses"] and "201" in paths[OFFICERS]["post"]["responses"]


@pytest.mark.parametrize("extra", [1, 8])
def test_the_officer_list_runs_in_constant_queries(ev, api_for, django_assert_max_num_queries, extra):
    from enforcement.models import Role
    from tests.factories import member

    year = timezone.localdate().year
    for n in range(extra):
        officer = member(Role.SQUADRON_OFFICER, ev.squadron, f"stationed{n}", certified=True)
        services.township_officer_evaluate(officer=officer, township=ev.county.town_a, year=year, score=80 + n,
                                           comments="好", by=ev.leader_a)
    for user in (ev.leader_a, ev.bureau):
        api = api_for(user)
        with django_assert_max_num_queries(8):
            response = api.get(OFFICERS)
        assert response.status_code == 200 and response.json()["count"] == extra
