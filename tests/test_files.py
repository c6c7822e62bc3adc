"""Uploaded files only through scope checks, also in development: no static media route."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve

from bureau.files import PROTECTED_FILES
from dispatch.services.intake import attachment_add
from tests.dispatch.conftest import PNG, category, make_ticket, png  # noqa: F401  (fixtures)
from tests.enforcement.cases_support import filed, world  # noqa: F401  (fixture)
from tests.enforcement.test_cases_evidence import add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PROTECTED_MEDIA_OFFLOAD = ""
    return tmp_path


@pytest.fixture
def evidence(world):  # noqa: F811
    return add(world, filed(world))


@pytest.fixture
def attachment(make_ticket, dispatcher):  # noqa: F811
    ticket = make_ticket()
    return attachment_add(ticket, png("现场.png"), by=dispatcher)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_static_media_route_is_gone():
    """It served any file to any signed-in user under DEBUG (bureau/urls.py added static(MEDIA_URL))."""
    with pytest.raises(Resolver404):
        resolve("/media/cases/evidence/2026/03/x.jpg")
    assert resolve("/files/cases/evidence/2026/03/x.jpg").url_name == "media-file"


def test_township_b_gets_404_for_township_a_evidence_and_a_gets_the_file(client_for, evidence, officer_a, officer_b):
    url = evidence.file.url
    assert url.startswith("/files/")
    outsider = client_for(officer_b)
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/cases/{evidence.case_id}/evidence/{evidence.pk}/download/").status_code == 404

    insider = client_for(officer_a)
    response = insider.get(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == f"/cases/{evidence.case_id}/evidence/{evidence.pk}/"
    assert body(response) == evidence.file.open("rb").read()


def test_township_b_gets_404_for_township_a_ticket_attachment_and_a_gets_the_file(
    client_for, attachment, officer_a, officer_b, api_for
):
    url = attachment.file.url
    outsider = client_for(officer_b)
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/dispatch/tickets/{attachment.ticket_id}/attachments/{attachment.pk}/").status_code == 404

    response = client_for(officer_a).get(url, follow=True)
    assert response.status_code == 200
    assert body(response) == PNG or body(response).startswith(b"\x89PNG")

    api = api_for(officer_a).get(f"/api/tickets/{attachment.ticket_id}/")
    [listed] = [a for a in api.json()["attachments"] if a["id"] == attachment.pk]
    assert listed["url"].endswith(f"/dispatch/tickets/{attachment.ticket_id}/attachments/{attachment.pk}/")


def test_anonymous_users_are_sent_to_login(client, attachment):
    response = client.get(attachment.file.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_file_is_404_even_for_the_administrator(client_for, administrator, media):
    (media / "stray.txt").write_text("not owned by any record")
    assert client_for(administrator).get("/files/stray.txt").status_code == 404
    assert client_for(administrator).get("/files/../bureau/settings.py").status_code == 404


def test_production_can_offload_the_transfer_to_nginx(client_for, attachment, officer_a, settings):
    settings.PROTECTED_MEDIA_OFFLOAD = "x-accel-redirect"
    settings.PROTECTED_MEDIA_INTERNAL_URL = "/protected-media/"
    response = client_for(officer_a).get(f"/dispatch/tickets/{attachment.ticket_id}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{attachment.file.name}"
    assert response.content == b""


def test_every_file_field_is_guarded():
    """A new FileField must be added to bureau.files.PROTECTED_FILES, or its files are unreachable."""
    guarded = {(entry.model, entry.field) for entry in PROTECTED_FILES}
    fields = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not model._meta.label.startswith("simple_history")
        and not model.__name__.startswith("Historical")
    }
    assert fields == guarded
