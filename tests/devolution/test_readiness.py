"""Township readiness: thresholds an administrator edits, shortfalls named, the county's grassroots share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site

from devolution import services
from devolution.models import ReadinessPolicy
from devolution.readiness import county_readiness, township_readiness
from devolution.rules import blocking_problems
from enforcement.errors import ValidationFailed
from enforcement.models import Certificate, Membership, Role
from tests.devolution.helpers import add_item, make_batch, staff_township, today
from tests.factories import AgencyFactory, CertificateFactory, TownshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_defaults_are_seven_certified_staff_one_legal_reviewer_and_eighty_percent():
    policy = ReadinessPolicy.load()

    assert (policy.min_certified_staff, policy.min_legal_reviewers, policy.grassroots_share_target) == (
        7, 1, Decimal("0.80"))
    assert ReadinessPolicy.load().pk == policy.pk == 1


def test_counts_only_active_members_with_a_certificate_valid_today(county):
    town = county.town_a
    staff_township(town, certified=7, legal=1)
    # An expired, a revoked and a future certificate, and an inactive membership: none count.
    for n, dates in enumerate([(dt.date(2015, 1, 1), dt.date(2016, 1, 1)), None, (today() + dt.timedelta(days=5),
                                                                                    today() + dt.timedelta(days=900))]):
        user = UserFactory(username=f"x{n}")
        Membership.objects.create(user=user, agency=town, role=Role.TOWNSHIP_OFFICER)
        if dates:
            CertificateFactory(officer=user, valid_from=dates[0], valid_to=dates[1])
        else:
            CertificateFactory(officer=user, revoked_at=today() - dt.timedelta(days=1))
    Membership.objects.filter(agency=town).exclude(user__username__startswith="x").first()
    leaver = Membership.objects.filter(agency=town, role=Role.TOWNSHIP_OFFICER).order_by("id").first()
    leaver.is_active = False
    leaver.save()

    r = township_readiness([town])[town.pk]

    assert (r.certified_staff, r.legal_reviewers) == (6, 1)
    assert r.failure_messages() == ["甲镇：持有效执法证的执法人员 6 人，少于要求的 7 人（差 1 人）"]


def test_a_user_with_two_posts_counts_once(county):
    town = county.town_a
    staff_township(town, certified=7, legal=0)
    officer = Membership.objects.filter(agency=town).first().user
    Membership.objects.create(user=officer, agency=town, role=Role.LEGAL_REVIEWER)

    r = township_readiness([town])[town.pk]

    assert (r.certified_staff, r.legal_reviewers, r.ready) == (7, 1, True)


def test_approval_is_blocked_while_a_township_fails_and_names_it_with_the_shortfall(dv, county):
    weak = TownshipFactory(code="TC", name="丙镇")
    staff_township(weak, certified=4, legal=0)
    batch = make_batch(dv.admin, [dv.town_a, weak])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a, weak])

    messages = [p.message for p in blocking_problems(batch)]

    assert messages == [
        "承接能力不足：丙镇：持有效执法证的执法人员 4 人，少于要求的 7 人（差 3 人）",
        "承接能力不足：丙镇：法制审核人员 0 人，少于要求的 1 人（差 1 人）",
    ]
    batch = services.batch_start_review(services.batch_submit(batch, by=dv.admin), by=dv.reviewer)
    with pytest.raises(ValidationFailed) as exc:
        services.batch_approve(batch, by=dv.reviewer)
    assert "丙镇" in exc.value.message and "差 3 人" in exc.value.message


def test_stationed_and_spoke_townships_are_not_required_to_be_ready(dv, county):
    # The stationed squadron acts in township A, the hub (B) acts for its spoke (C): only B must be ready.
    spoke = TownshipFactory(code="TC", name="丙镇")
    for town in (dv.town_a,):
        town.memberships.update(is_active=False)
    batch = make_batch(dv.admin, [dv.town_a, dv.town_b, spoke])
    from devolution.models import ItemMode

    add_item(batch, dv.admin, dv.matters[0], [dv.town_a], mode=ItemMode.STATIONED)
    add_item(batch, dv.admin, dv.matters[1], [dv.town_b, spoke], mode=ItemMode.HUB_AND_SPOKE,
             hub_township=dv.town_b)

    assert blocking_problems(batch) == []


def test_editing_the_thresholds_changes_the_checks(dv):
    batch = make_batch(dv.admin, [dv.town_a])
    add_item(batch, dv.admin, dv.matters[0], [dv.town_a])
    assert blocking_problems(batch) == []

    policy = ReadinessPolicy.load()
    policy.min_certified_staff = 9
    policy.min_legal_reviewers = 2
    policy.save()

    messages = [p.message for p in blocking_problems(batch)]
    assert "承接能力不足：甲镇：持有效执法证的执法人员 7 人，少于要求的 9 人（差 2 人）" in messages
    assert "承接能力不足：甲镇：法制审核人员 1 人，少于要求的 2 人（差 1 人）" in messages


def test_administrator_edits_the_thresholds_in_admin(client, administrator):
    client.force_login(administrator)
    url = "/admin/devolution/readinesspolicy/1/change/"
    ReadinessPolicy.load()

    response = client.post(url, {"min_certified_staff": "8", "min_legal_reviewers": "2",
                                 "grassroots_share_target": "0.75"})

    assert response.status_code == 302
    policy = ReadinessPolicy.load()
    assert (policy.min_certified_staff, policy.min_legal_reviewers, policy.grassroots_share_target) == (
        8, 2, Decimal("0.75"))
    admin = site._registry[ReadinessPolicy]
    assert not admin.has_add_permission(None) and not admin.has_delete_permission(None)


def test_county_share_counts_township_and_stationed_squadron_officers_against_the_target(county, squadron_officer,
                                                                                          dispatcher, officer_a):
    # Certified: dispatcher (bureau), squadron officer (grassroots), officer_a (grassroots) + 3 township officers.
    staff_township(county.town_b, certified=3, legal=0)
    direct = AgencyFactory(code="SQD", name="直属中队", kind="squadron_direct", parent=county.brigade)
    for n in range(2):
        user = UserFactory(username=f"direct{n}")
        Membership.objects.create(user=user, agency=direct, role=Role.SQUADRON_OFFICER)
        CertificateFactory(officer=user)
    Certificate.objects.filter(officer=dispatcher).update(valid_to=today() - dt.timedelta(days=1))

    report = county_readiness()

    assert (report.grassroots_officers, report.all_officers) == (5, 7)
    assert report.share == Decimal("0.7143")
    assert not report.meets_target
    # (5 + x) / (7 + x) >= 0.8  <=>  x >= 3
    assert report.officers_short_of_target == 3
    rows = {r.township.code: r for r in report.townships}
    assert rows["TA"].squadron_officers == 1 and rows["TB"].certified_staff == 3


def test_county_readiness_runs_in_constant_queries(county, django_assert_max_num_queries):
    for n in range(6):
        staff_township(TownshipFactory(code=f"T{n}"), certified=2, legal=1)
    ReadinessPolicy.load()
    with django_assert_max_num_queries(4):
        report = county_readiness()
        assert len(report.townships) == 8
