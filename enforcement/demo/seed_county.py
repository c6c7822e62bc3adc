"""Seed step: write the demo county (:mod:`enforcement.demo.county`) into the database."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.demo import add_key_login, county, demo_password_hash
from enforcement.demo.upsert import by_key, upsert
from enforcement.models.agencies import Agency, Certificate, Membership
from enforcement.models.grids import Grid

User = get_user_model()

# Certificates are valid for several years; the demo spreads their dates
# around today so that lists and expiry warnings look lived-in.
CERTIFICATE_YEARS = 5


def seed_county(stdout, password: str) -> None:
    today = timezone.localdate()
    agencies = _seed_agencies(county.agencies())
    people = county.people()
    users = _seed_users(people, demo_password_hash(password))
    memberships = _seed_memberships(people, users, agencies)
    certificates = _seed_certificates(people, users, today)
    grids = _seed_grids(county.grids(), users, agencies)
    for username, role in county.KEY_LOGINS:
        add_key_login(username, role)
    stdout.write(
        _(
            "县域：%(agencies)s 个机构（%(townships)s 个乡镇街道、%(departments)s 个业务部门），"
            "%(users)s 个用户，%(memberships)s 个岗位，%(certificates)s 张执法证，%(grids)s 个网格"
        )
        % {
            "agencies": len(agencies), "townships": len(county.TOWNSHIPS), "departments": len(county.DEPARTMENTS),
            "users": len(users), "memberships": memberships, "certificates": certificates, "grids": grids,
        }
    )


def _seed_agencies(specs: list[county.AgencySpec]) -> dict[str, Agency]:
    """Upsert agencies in waves: a wave holds the specs whose parent and township already exist."""
    done: dict[str, Agency] = {}
    pending = list(specs)
    while pending:
        wave = [s for s in pending if all(ref is None or ref in done for ref in (s.parent, s.stationed_in))]
        if not wave:
            raise ValueError(f"demo agencies refer to unknown codes: {[s.code for s in pending]}")
        upsert(
            Agency,
            (
                Agency(
                    code=s.code, name=s.name, short_name=s.short_name, kind=s.kind, sort_order=s.sort_order,
                    parent=done.get(s.parent), stationed_in=done.get(s.stationed_in), is_active=True,
                )
                for s in wave
            ),
            unique=["code"],
            update=["name", "short_name", "kind", "sort_order", "parent", "stationed_in", "is_active"],
        )
        done.update(by_key(Agency, "code", [s.code for s in wave]))
        pending = [s for s in pending if s.code not in done]
    return done


def _seed_users(people: list[county.Person], password_hash: str) -> dict[str, User]:
    upsert(
        User,
        (
            User(
                username=p.username, first_name=p.full_name, last_name="", email=f"{p.username}@example.org",
                password=password_hash, is_staff=p.is_staff, is_superuser=p.is_superuser, is_active=True,
            )
            for p in people
        ),
        unique=["username"],
        update=["first_name", "last_name", "email", "password", "is_staff", "is_superuser", "is_active"],
    )
    return by_key(User, "username", [p.username for p in people])


def _seed_memberships(people: list[county.Person], users: dict, agencies: dict) -> int:
    rows = [
        Membership(user=users[p.username], agency=agencies[post.agency], role=post.role, title=post.title)
        for p in people
        for post in p.posts
    ]
    upsert(Membership, rows, unique=["user", "agency", "role"], update=["title", "is_active"])
    return len(rows)


def certificate_dates(serial: int, status: str, today: dt.date) -> tuple[dt.date, dt.date, dt.date | None]:
    """(valid_from, valid_to, revoked_at) of a demo certificate, spread around ``today``."""
    span = dt.timedelta(days=365 * CERTIFICATE_YEARS)
    if status == "expired":
        valid_to = today - dt.timedelta(days=20 + serial % 90)
        return valid_to - span, valid_to, None
    # Issued 0.5-3.5 years ago: always still running today.
    valid_from = today - dt.timedelta(days=180 + (serial * 37) % 1100)
    revoked_at = today - dt.timedelta(days=15) if status == "revoked" else None
    return valid_from, valid_from + span, revoked_at


def _seed_certificates(people: list[county.Person], users: dict, today: dt.date) -> int:
    rows = []
    for p in people:
        if p.certificate is None:
            continue
        valid_from, valid_to, revoked_at = certificate_dates(p.serial, p.certificate, today)
        rows.append(
            Certificate(
                officer=users[p.username], number=p.certificate_number, issuing_body=county.ISSUING_BODY,
                valid_from=valid_from, valid_to=valid_to, revoked_at=revoked_at,
                revoked_reason="调离执法岗位" if revoked_at else "",
            )
        )
    upsert(
        Certificate, rows, unique=["number"],
        update=["officer", "issuing_body", "valid_from", "valid_to", "revoked_at", "revoked_reason"],
    )
    return len(rows)


def _seed_grids(specs: list[county.GridSpec], users: dict, agencies: dict) -> int:
    upsert(
        Grid,
        (Grid(code=g.code, name=g.name, township=agencies[g.township], member=users[g.member]) for g in specs),
        unique=["code"],
        update=["name", "township", "member"],
    )
    return len(specs)
