"""``manage.py seed_demo``: an idempotent, realistic demo county with working logins."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils.module_loading import autodiscover_modules

from enforcement import demo
from enforcement.demo import county
from enforcement.models import Agency, AgencyKind, Certificate, Grid, Membership
from tests.enforcement.demo_checks import KEY_LOGINS

User = get_user_model()

pytestmark = pytest.mark.django_db



def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Row counts and stable keys of every model the seed writes."""
    return {
        "agencies": sorted(Agency.objects.values_list("code", "name", "kind", "parent__code", "stationed_in__code")),
        "users": sorted(User.objects.values_list("username", "first_name", "is_staff", "is_superuser")),
        "memberships": sorted(Membership.objects.values_list("user__username", "agency__code", "role", "title")),
        "grids": sorted(Grid.objects.values_list("code", "name", "township__code", "member__username")),
        "certificates": sorted(
            Certificate.objects.values_list("number", "officer__username", "valid_from", "valid_to", "revoked_at")
        ),
        "counts": [m.objects.count() for m in (Agency, User, Membership, Grid, Certificate)],
    }


def test_seeding_twice_leaves_identical_rows(client):
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert client.login(username="dispatcher1", password=demo.DEFAULT_PASSWORD)


def test_county_step_is_a_constant_number_of_bulk_queries(django_assert_max_num_queries):
    # A few hundred users, memberships and certificates: bulk upserts, not one query per row.
    # (Only the county step: later apps' steps have their own budgets.)
    import io

    from enforcement.demo.seed_county import seed_county

    with django_assert_max_num_queries(40):
        seed_county(io.StringIO(), demo.DEFAULT_PASSWORD)


def test_password_option_resets_every_demo_password(client):
    seed()
    seed(password="Other-pass-42")
    assert client.login(username="qingshan_officer3", password="Other-pass-42")
    assert not client.login(username="qingshan_officer3", password=demo.DEFAULT_PASSWORD)
    seed()
    assert client.login(username="qingshan_officer3", password=demo.DEFAULT_PASSWORD)


def test_a_password_changed_by_hand_is_reset_by_the_next_run(client):
    seed()
    user = User.objects.get(username="baima_leader")
    user.set_password("changed-Pass-1")
    user.save()
    seed()
    assert client.login(username="baima_leader", password=demo.DEFAULT_PASSWORD)


def test_logins_file_holds_the_table_only(tmp_path):
    path = tmp_path / "var" / "demo-logins.txt"
    seed(logins_file=str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split()[:2] == ["用户名", "角色"] and set(lines[1]) <= {"-", " "}
    assert [line.split()[0] for line in lines[2:]] == [*KEY_LOGINS, county.GRID_MEMBER_LOGIN]
    assert all(line.rstrip().endswith(demo.DEFAULT_PASSWORD) for line in lines[2:])


def test_seeding_sends_no_email_to_the_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    seed()
    out = capsys.readouterr()
    assert "Subject:" not in out.out and "Subject:" not in out.err
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


def test_later_apps_add_steps_that_run_after_the_county(monkeypatch):
    calls = []

    def extra_step(stdout, password):
        # The county exists when a later step runs.
        calls.append((Agency.objects.filter(kind=AgencyKind.BUREAU).count(), password))
        stdout.write("extra step ran")

    # Import the apps' demo modules first so their own steps are not registered into the temporary list.
    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "SEED_STEPS", [*demo.SEED_STEPS])
    demo.seed_step(extra_step)
    output = seed(password="Step-pass-7")
    assert calls == [(1, "Step-pass-7")]
    assert "extra step ran" in output


def test_data_module_keeps_usernames_and_keys_unique():
    people = county.people()
    assert len({p.username for p in people}) == len(people)
    assert len({p.certificate_number for p in people}) == len(people)
    assert len({a.code for a in county.agencies()}) == len(county.agencies())
    assert {u for u, _ in county.KEY_LOGINS} == set(KEY_LOGINS)
