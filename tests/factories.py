"""Factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from enforcement.models import Agency, AgencyKind, Certificate, Grid, Membership, Role

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pass-Word-123")
        if create:
            self.save(update_fields=["password"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    name = factory.Sequence(lambda n: f"机构{n}")
    kind = AgencyKind.DEPARTMENT


class TownshipFactory(AgencyFactory):
    kind = AgencyKind.TOWN
    name = factory.Sequence(lambda n: f"第{n}镇")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.TOWNSHIP_OFFICER


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    officer = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"ZF{n:08d}")
    issuing_body = "县人民政府"
    valid_from = dt.date(2024, 1, 1)
    valid_to = dt.date(2029, 12, 31)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    township = factory.SubFactory(TownshipFactory)
    code = factory.Sequence(lambda n: f"GRID{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}网格")


def member(role: str, agency: Agency, username: str, *, certified: bool = False, **user_fields) -> User:
    """Create a user with one membership (and optionally a valid certificate)."""
    user = UserFactory(username=username, **user_fields)
    Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if certified:
        CertificateFactory(officer=user)
    return user
