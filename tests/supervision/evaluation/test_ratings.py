"""Annual ratings: the weights and the formula, weights not totalling 100%, frozen ratings, corrections,
and the townships' forms (a township evaluating a unit outside its area is refused)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.forms import inlineformset_factory

from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from supervision.evaluation import services
from supervision.evaluation.admin import ItemWeightFormSet
from supervision.evaluation.choices import RatingStatus
from supervision.evaluation.models import RatingItem, RatingScheme, TownshipUnitEvaluation, UnitRating
from tests.supervision.evaluation.conftest import ticket

pytestmark = pytest.mark.django_db


def items(unit_kind: str, *scores) -> dict:
    """{item id: (score, reason)} for the scheme's items in order."""
    scheme = RatingScheme.objects.get(unit_kind=unit_kind)
    pairs = zip(scheme.items.all(), scores, strict=True)
    return {item.pk: (D(str(s)), f"理由{n}") for n, (item, s) in enumerate(pairs)}


def test_department_rating_weighs_townships_30_percent(ev):
    # Township A scores the department 80, township B 90: mean 85 (both had its tickets).
    ticket(township=ev.county.town_a, unit=ev.department)
    ticket(township=ev.county.town_b, unit=ev.department)
    services.township_unit_evaluate(
        period=ev.period, township=ev.county.town_a, unit=ev.department, score=80, comment="", by=ev.leader_a
    )
    services.township_unit_evaluate(
        period=ev.period, township=ev.county.town_b, unit=ev.department, score=90, comment="", by=ev.officer_b
    )
    rating = services.rating_save(
        period=ev.period, unit=ev.department, scores=items("department", 90, 80, 70), by=ev.bureau
    )
    # Default department scheme: townships 30%, work 40%, lawful administration 20%, team 10%.
    # 30% x 85 = 25.50; 40% x 90 = 36.00; 20% x 80 = 16.00; 10% x 70 = 7.00; total 84.50.
    assert rating.township_score == D("85.00")
    assert rating.total == D("84.50")
    assert "30% × 85.00（乡镇评价）" in rating.formula
    assert "40% × 90.00（工作实绩）" in rating.formula
    assert "= 25.50 + 36.00 + 16.00 + 7.00 = 84.50" in rating.formula
    assert [(s.name, s.weight, s.score, s.reason) for s in rating.item_scores.all()] == [
        ("工作实绩", D("40"), D("90"), "理由0"),
        ("依法行政", D("20"), D("80"), "理由1"),
        ("队伍建设", D("10"), D("70"), "理由2"),
    ]


def test_stationed_squadron_rating_weighs_townships_60_percent(ev):
    # Township A (where it is stationed) scores it 90.
    services.township_unit_evaluate(
        period=ev.period, township=ev.county.town_a, unit=ev.squadron, score=90, comment="响应及时", by=ev.officer_a
    )
    rating = services.rating_save(
        period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 80, 60), by=ev.bureau
    )
    # 60% x 90 = 54.00; 25% x 80 = 20.00; 15% x 60 = 9.00; total 83.00.
    assert rating.total == D("83.00")
    assert rating.formula.startswith("60% × 90.00（乡镇评价） + 25% × 80.00（工作实绩） + 15% × 60.00（依法行政）")


def test_without_township_forms_the_verdict_scores_count(ev):
    # Two judged tickets scored 4 and 5 (of 5): mean 4.5, x 20 = 90 on the 100-point scale.
    ticket(township=ev.county.town_a, unit=ev.direct, verdict="accepted", verdict_score=4)
    ticket(township=ev.county.town_b, unit=ev.direct, verdict="accepted", verdict_score=5)
    rating = services.rating_save(
        period=ev.period, unit=ev.direct, scores=items("squadron_direct", 100, 100, 100), by=ev.bureau
    )
    # 30% x 90 = 27.00; 40% x 100 = 40.00; 20% x 100 = 20.00; 10% x 100 = 10.00; total 97.00.
    assert rating.township_score == D("90.00")
    assert rating.total == D("97.00")
    assert "4.50 × 20" in rating.formula


def test_weights_not_totalling_100_are_refused(ev):
    RatingScheme.objects.filter(unit_kind="department").update(township_weight=D("40"))  # 40+40+20+10 = 110
    with pytest.raises(ValidationFailed) as err:
        services.rating_save(period=ev.period, unit=ev.department, scores=items("department", 90, 80, 70), by=ev.bureau)
    assert err.value.code == "weights_not_100" and "110.00%" in str(err.value)
    assert not UnitRating.objects.exists()


def test_admin_refuses_weights_not_totalling_100(ev):
    scheme = RatingScheme.objects.get(unit_kind="squadron_stationed")
    FormSet = inlineformset_factory(
        RatingScheme, RatingItem, formset=ItemWeightFormSet, fields=["order", "name", "weight"], extra=0
    )
    items_ = list(scheme.items.all())

    def post(weights):
        data = {
            "items-TOTAL_FORMS": str(len(items_)),
            "items-INITIAL_FORMS": str(len(items_)),
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        }
        for n, (item, w) in enumerate(zip(items_, weights, strict=True)):
            data.update(
                {
                    f"items-{n}-id": str(item.pk),
                    f"items-{n}-scheme": str(scheme.pk),
                    f"items-{n}-order": str(n),
                    f"items-{n}-name": item.name,
                    f"items-{n}-weight": str(w),
                }
            )
        return FormSet(data, instance=scheme, prefix="items")

    # 60 + 25 + 20 = 105: refused; 60 + 25 + 15 = 100: accepted.
    bad = post([25, 20])
    assert not bad.is_valid()
    assert "105.00%" in str(bad.non_form_errors())
    assert post([25, 15]).is_valid()


def test_published_rating_is_frozen(ev):
    rating = services.rating_save(
        period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 80, 60), by=ev.bureau
    )
    rating = services.rating_publish(rating, by=ev.bureau)
    assert rating.status == RatingStatus.PUBLISHED and rating.published_at
    with pytest.raises(InvalidTransition) as err:
        services.rating_save(
            period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 100, 100), by=ev.bureau
        )
    assert err.value.code == "rating_frozen"
    # The township's form cannot move it either.
    with pytest.raises(InvalidTransition):
        services.township_unit_evaluate(
            period=ev.period, township=ev.county.town_a, unit=ev.squadron, score=10, comment="", by=ev.leader_a
        )
    rating.refresh_from_db()
    assert rating.total == D("29.00")  # 60% x 0 (no township score) + 25% x 80 + 15% x 60
    assert not TownshipUnitEvaluation.objects.exists()
    with pytest.raises(InvalidTransition):
        services.rating_publish(rating, by=ev.bureau)


def test_correction_supersedes_with_a_note_and_the_old_stays(ev):
    old = services.rating_publish(
        services.rating_save(
            period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 80, 60), by=ev.bureau
        ),
        by=ev.bureau,
    )
    with pytest.raises(ValidationFailed):
        services.rating_correct(old, scores=items("squadron_stationed", 90, 60), note=" ", by=ev.bureau)
    new = services.rating_correct(
        old, scores=items("squadron_stationed", 90, 60), note="工作实绩漏计一项", by=ev.bureau
    )
    old.refresh_from_db()
    assert old.status == RatingStatus.SUPERSEDED and old.total == D("29.00")
    # 60% x 0 + 25% x 90 = 22.50 + 15% x 60 = 9.00: 31.50.
    assert new.status == RatingStatus.PUBLISHED and new.total == D("31.50")
    assert new.supersedes == old and new.correction_note == "工作实绩漏计一项"
    assert set(UnitRating.objects.filter(period=ev.period, unit=ev.squadron)) == {old, new}
    with pytest.raises(InvalidTransition):
        services.rating_correct(old, scores=items("squadron_stationed", 1, 1), note="再改", by=ev.bureau)


def test_only_the_bureau_rates(ev):
    with pytest.raises(PermissionRefused):
        services.rating_save(
            period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 80, 60), by=ev.officer_a
        )
    # The command centre is the bureau's.
    assert (
        services.rating_save(
            period=ev.period, unit=ev.squadron, scores=items("squadron_stationed", 80, 60), by=ev.dispatcher
        ).status
        == RatingStatus.DRAFT
    )


def test_reasons_are_required_item_by_item(ev):
    scores = items("squadron_stationed", 80, 60)
    first = next(iter(scores))
    scores[first] = (D("80"), "")
    with pytest.raises(ValidationFailed) as err:
        services.rating_save(period=ev.period, unit=ev.squadron, scores=scores, by=ev.bureau)
    assert f"reason_{first}" in err.value.fields


def test_township_evaluating_a_unit_outside_its_area_is_refused(ev):
    # Squadron A is stationed in township A and handled no ticket of township B.
    with pytest.raises(PermissionRefused) as err:
        services.township_unit_evaluate(
            period=ev.period, township=ev.county.town_b, unit=ev.squadron, score=90, comment="", by=ev.officer_b
        )
    assert err.value.code == "outside_area" and "乙街道" in str(err.value)
    # The department handled none of township A's tickets in 2025 (one in 2024 does not count) ...
    ticket(township=ev.county.town_a, unit=ev.department, received=__import__("datetime").date(2024, 12, 30))
    with pytest.raises(PermissionRefused):
        services.township_unit_evaluate(
            period=ev.period, township=ev.county.town_a, unit=ev.department, score=90, comment="", by=ev.leader_a
        )
    # ... until it does.
    ticket(township=ev.county.town_a, unit=ev.department)
    services.township_unit_evaluate(
        period=ev.period, township=ev.county.town_a, unit=ev.department, score=90, comment="", by=ev.leader_a
    )
    # A township only fills its own forms.
    with pytest.raises(PermissionRefused):
        services.township_unit_evaluate(
            period=ev.period, township=ev.county.town_a, unit=ev.department, score=90, comment="", by=ev.officer_b
        )
    assert TownshipUnitEvaluation.objects.count() == 1


def test_rating_pages(ev, client_for):
    client = client_for(ev.bureau)
    page = client.get(f"/supervision/evaluation/ratings/new/?period={ev.period.pk}&unit={ev.squadron.pk}")
    assert page.status_code == 200
    scheme = RatingScheme.objects.get(unit_kind="squadron_stationed")
    data = {"period": ev.period.pk, "unit": ev.squadron.pk}
    for item, score in zip(scheme.items.all(), (80, 60), strict=True):
        data[f"item_{item.pk}"] = score
        data[f"reason_{item.pk}"] = "依据年度工作台账"
    response = client.post("/supervision/evaluation/ratings/new/", data)
    rating = UnitRating.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/ratings/{rating.pk}/")
    client.post(f"/supervision/evaluation/ratings/{rating.pk}/publish/")
    listing = client.get(f"/supervision/evaluation/ratings/?period={ev.period.pk}").content.decode()
    assert "已公布" in listing and rating.formula in listing
    # Correcting from the page needs the note; the old one stays listed.
    data["note"] = "依法行政得分更正"
    data[f"item_{scheme.items.last().pk}"] = 80
    response = client.post(f"/supervision/evaluation/ratings/{rating.pk}/", data)
    new = UnitRating.objects.exclude(pk=rating.pk).get()
    assert response["Location"].endswith(f"/ratings/{new.pk}/")
    listing = client.get(f"/supervision/evaluation/ratings/?period={ev.period.pk}").content.decode()
    assert "已被更正" in listing and "依法行政得分更正" in listing
    # Township officers do not see ratings at all.
    assert client_for(ev.officer_a).get(f"/supervision/evaluation/ratings/{new.pk}/").status_code == 404
