"""The seeded demo county: its agencies, people, certificates and logins (seeded once for this module).

Tests that seed themselves (idempotency, passwords, the step registry) are in test_seed_demo.py."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from enforcement import demo
from enforcement.demo import county
from enforcement.models import TOWNSHIP_KINDS, Agency, AgencyKind, Certificate, Grid, Membership, Role
from tests.enforcement.demo_checks import DEPARTMENTS, KEY_LOGINS

User = get_user_model()

pytestmark = pytest.mark.django_db



@pytest.fixture
def seeded(demo_county):
    return demo_county.output


@pytest.mark.parametrize("username", KEY_LOGINS)
def test_key_demo_login_signs_in_and_opens_home(client, seeded, username):
    assert client.login(username=username, password=demo.DEFAULT_PASSWORD)
    assert client.get("/").status_code == 200


def test_output_lists_one_key_login_per_role_and_counts_the_others(seeded):
    lines = seeded.splitlines()
    for username in KEY_LOGINS:
        assert sum(1 for line in lines if line.startswith(username + " ")) == 1, username
    for role in Role:
        assert any(str(role.label) in line for line in lines), role
    assert sum(1 for line in lines if line.startswith(county.GRID_MEMBER_LOGIN + " ") and "网格员" in line) == 1
    others = User.objects.exclude(username__in=[*KEY_LOGINS, county.GRID_MEMBER_LOGIN]).count()
    assert f"另有 {others} 个演示账号" in seeded
    # Only the key logins and the grid member are tabulated, not the hundreds of others.
    assert sum(1 for line in lines if demo.DEFAULT_PASSWORD in line) == len(KEY_LOGINS) + 1


def test_administrator_is_superuser_member_of_the_bureau(seeded):
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert Membership.objects.filter(user=admin, role=Role.ADMINISTRATOR, agency__kind=AgencyKind.BUREAU).exists()


def test_county_has_core_agencies_townships_and_departments(seeded):
    for kind in (
        AgencyKind.COUNTY_GOVERNMENT, AgencyKind.BUREAU, AgencyKind.ESTABLISHMENT_OFFICE, AgencyKind.JUDICIAL_BUREAU,
    ):
        assert Agency.objects.filter(kind=kind).count() == 1, kind
    bureau = Agency.objects.get(kind=AgencyKind.BUREAU)
    assert Agency.objects.get(kind=AgencyKind.COMMAND_CENTRE).parent == bureau
    assert Agency.objects.get(kind=AgencyKind.LEGAL_REVIEW_CENTRE).parent.kind in (
        AgencyKind.BUREAU, AgencyKind.JUDICIAL_BUREAU,
    )
    assert Agency.objects.filter(kind__in=TOWNSHIP_KINDS).count() >= 12
    assert Agency.objects.filter(kind=AgencyKind.BRIGADE, parent=bureau).count() >= 2
    departments = dict(Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list("code", "name"))
    assert len(departments) >= 15
    assert departments == DEPARTMENTS


def test_every_township_has_one_stationed_squadron_and_there_are_direct_squadrons(seeded):
    townships = Agency.objects.filter(kind__in=TOWNSHIP_KINDS).annotate(
        squadrons=Count("stationed_squadrons", filter=Q(stationed_squadrons__kind=AgencyKind.SQUADRON_STATIONED))
    )
    assert {t.name: t.squadrons for t in townships} == {t.name: 1 for t in townships}
    for squadron in Agency.objects.filter(kind=AgencyKind.SQUADRON_STATIONED).select_related("parent"):
        assert squadron.parent.kind == AgencyKind.BRIGADE
        assert Membership.objects.filter(agency=squadron, role=Role.SQUADRON_LEADER).count() == 1
        assert Membership.objects.filter(agency=squadron, role=Role.SQUADRON_OFFICER).exists()
    assert Agency.objects.filter(kind=AgencyKind.SQUADRON_DIRECT).count() >= 2


def test_every_township_has_two_to_four_grids_with_a_member(seeded):
    for township in Agency.objects.filter(kind__in=TOWNSHIP_KINDS).prefetch_related("grids"):
        grids = list(township.grids.all())
        assert 2 <= len(grids) <= 4, township.name
        for grid in grids:
            assert grid.code.startswith(f"{township.code}-G")
            assert grid.name.startswith(township.name)
            assert grid.member_id is not None
    assert Grid.objects.get(code="TS04-G01").name == "青山镇第1网格"


def test_every_township_has_seven_certified_officers_a_leader_and_a_legal_reviewer(seeded):
    today = timezone.localdate()
    certified = set(Certificate.objects.valid_on(today).values_list("officer_id", flat=True))
    for township in Agency.objects.filter(kind__in=TOWNSHIP_KINDS):
        officers = set(
            Membership.objects.filter(agency=township, role=Role.TOWNSHIP_OFFICER).values_list("user_id", flat=True)
        )
        assert len(officers) >= 8, township.name
        assert len(officers & certified) >= 7, township.name
        assert Membership.objects.filter(agency=township, role=Role.TOWNSHIP_LEADER).count() == 1
        assert Membership.objects.filter(agency=township, role=Role.LEGAL_REVIEWER).exists(), township.name


def test_every_role_has_users_and_names_are_chinese(seeded):
    for role in Role:
        assert Membership.objects.filter(role=role).exists(), role
    assert Membership.objects.filter(role=Role.DEPARTMENT_STAFF).values("agency").distinct().count() >= 3
    name = User.objects.get(username="chengguan_officer1").first_name
    assert 2 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name)


def test_certificates_are_mostly_valid_with_a_few_expired_and_one_revoked(seeded):
    today = timezone.localdate()
    certificates = Certificate.objects.all()
    valid = Certificate.objects.valid_on(today).count()
    expired = certificates.filter(valid_to__lt=today).count()
    revoked = certificates.filter(revoked_at__isnull=False)
    assert valid > 0.9 * certificates.count()
    assert expired >= 2
    assert revoked.count() == 1 and revoked.get().revoked_reason
    assert set(certificates.values_list("issuing_body", flat=True)) == {"县人民政府"}
    assert all(number.startswith("ZF") for number in certificates.values_list("number", flat=True))
