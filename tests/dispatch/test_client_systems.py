"""Client systems (接入系统) in admin: their channels and keys, issued, used, replaced and switched off."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch.models import ClientSystem, Ticket, TicketCategory

pytestmark = pytest.mark.django_db

ADD = "admin:dispatch_clientsystem_add"
LIST = "admin:dispatch_clientsystem_changelist"


@pytest.fixture(autouse=True)
def _categories(db):
    TicketCategory.objects.update_or_create(code="ZDJY", defaults={"name": "占道经营", "is_active": True})


def issued_key(response) -> str:
    match = re.search(r'data-testid="issued-key">([0-9a-f]{40})<', response.content.decode())
    assert match, "the new key is shown once after saving"
    return match.group(1)


def push(key: str, ref: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.post("/api/intake/hotline/", {"external_ref": ref, "description": "市民来电：占道经营",
                                             "category": "ZDJY"}, format="json")


def open311_post(key: str):
    return Client().post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "ZDJY", "address_string": "人民路", "description": "占道经营"})


def test_an_administrator_registers_a_hotline_platform_and_its_key_works(client_for, administrator, county):
    admin = client_for(administrator)
    response = admin.post(reverse(ADD), {
        "username": "svc-12345", "first_name": "12345 政务服务便民热线平台", "email": "ops@12345.example",
        "is_active": "on", "channels": ["hotline_12345"], "_save": "1"}, follow=True)
    assert response.status_code == 200
    key = issued_key(response)
    system = ClientSystem.objects.get(username="svc-12345")
    assert not system.has_usable_password() and not system.is_staff
    assert {g.name for g in system.groups.all()} == {"intake:hotline_12345"}

    assert push(key, "A-1").status_code == 201
    assert open311_post(key).status_code == 403  # not an Open311 client

    listing = admin.get(reverse(LIST)).content.decode()
    assert "svc-12345" in listing and "12345热线" in listing
    assert key not in listing and f"{key[:4]}…{key[-4:]}" in listing  # only the ends, after the first time


def test_channels_change_at_once_and_a_replaced_key_stops_working(client_for, administrator, county):
    admin = client_for(administrator)
    key = issued_key(admin.post(reverse(ADD), {
        "username": "svc-open311", "first_name": "城市管家 App", "is_active": "on", "channels": ["open311"],
        "_save": "1"}, follow=True))
    assert open311_post(key).status_code == 201
    system = ClientSystem.objects.get(username="svc-open311")

    # Give it the 12319 hotline too: the next push through it is accepted, no restart needed.
    assert push(key, "B-1").status_code == 403
    change = reverse("admin:dispatch_clientsystem_change", args=[system.pk])
    admin.post(change, {"username": "svc-open311", "first_name": "城市管家 App", "is_active": "on",
                        "channels": ["open311", "hotline_12319"], "_save": "1"})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    r = api.post("/api/intake/hotline/", {"channel": "hotline_12319", "external_ref": "B-1",
                                          "description": "城建热线来电", "category": "ZDJY"}, format="json")
    assert r.status_code == 201

    # Replace the key: the old one is refused at once, the new one works.
    response = admin.post(reverse(LIST), {"action": "rotate_keys", "_selected_action": [system.pk]}, follow=True)
    new_key = issued_key(response)
    assert new_key != key
    assert open311_post(key).status_code == 403
    assert open311_post(new_key).status_code == 201
    assert Token.objects.filter(user=system).count() == 1


def test_switching_a_system_off_refuses_its_pushes(client_for, administrator, county):
    admin = client_for(administrator)
    key = issued_key(admin.post(reverse(ADD), {
        "username": "svc-12369", "first_name": "12369 环保热线", "is_active": "on", "channels": ["hotline_12369"],
        "_save": "1"}, follow=True))
    system = ClientSystem.objects.get(username="svc-12369")
    admin.post(reverse("admin:dispatch_clientsystem_change", args=[system.pk]), {
        "username": "svc-12369", "first_name": "12369 环保热线", "channels": ["hotline_12369"], "_save": "1"})
    assert push(key, "C-1").status_code in (401, 403)
    assert not Ticket.objects.filter(external_ref="C-1").exists()
    # Still listed (its history stays), with its channel.
    assert "svc-12369" in admin.get(reverse(LIST)).content.decode()


def test_staff_accounts_are_not_listed_as_client_systems(client_for, administrator, dispatcher, county):
    Token.objects.create(user=dispatcher)  # a dispatcher using the API is a person, not a client system
    group, _created = Group.objects.get_or_create(name="intake:hotline_12345")
    administrator.groups.add(group)  # even an administrator put in a channel's group by mistake
    admin = client_for(administrator)
    listing = admin.get(reverse(LIST)).content.decode()
    assert dispatcher.username not in listing and administrator.username not in listing.split("<tbody>")[-1]
    # ... cannot be edited through this page (it would be a way to change a person's account).
    assert admin.get(reverse("admin:dispatch_clientsystem_change", args=[administrator.pk])).status_code in (
        302, 404)


def test_only_administrators_reach_the_page(client_for, dispatcher, county):
    response = client_for(dispatcher).get(reverse(LIST))
    assert response.status_code in (302, 403)
