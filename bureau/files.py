"""Uploaded files, served only to users who may see what they belong to, in development too.

Every file field of every model is listed in :data:`PROTECTED_FILES` with the
object whose ``visible_to(user)`` guards it. ``MEDIA_URL`` points at
:func:`media_file`, so ``field.url`` anywhere (templates, the API) leads to a
check: a file outside the user's scope answers 404, as its object would.
Files that have their own view (evidence, whose every view is recorded;
ticket attachments) are redirected there.

Sending goes through :func:`enforcement.files.serve_file`, which production
may offload to the web server (``PROTECTED_MEDIA_OFFLOAD``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from enforcement.files import serve_file


@dataclass(frozen=True)
class ProtectedFile:
    model: str  # "app_label.Model" holding the file
    field: str  # its FileField
    owner: str  # the lookup from it to the guarding object
    owner_model: str  # the guarding model, whose manager has visible_to(user)
    # The object's own checked view, where there is one (it also records the access).
    view_url: Callable[[object], str] | None = None


PROTECTED_FILES = [
    ProtectedFile("enforcement.Evidence", "file", "case", "enforcement.Case",
                  lambda e: reverse("cases:evidence", args=[e.case_id, e.pk])),
    ProtectedFile("dispatch.TicketAttachment", "file", "ticket", "dispatch.Ticket",
                  lambda a: reverse("dispatch:attachment", args=[a.ticket_id, a.pk])),
    ProtectedFile("devolution.Assessment", "opinion_file", "item", "devolution.BatchItem"),
    ProtectedFile("devolution.StatutoryRecord", "file", "item", "devolution.BatchItem"),
    ProtectedFile("devolution.EntrustmentAgreement", "file", "batch", "devolution.DevolutionBatch"),
    ProtectedFile("enforcement.RecordAttachment", "file", "record", "enforcement.InspectionRecord",
                  lambda a: reverse("inspections:attachment", args=[a.record_id, a.pk])),
    ProtectedFile("enforcement.WarningNotice", "commitment_file", "pk", "enforcement.WarningNotice",
                  lambda w: reverse("warnings:commitment", args=[w.pk])),
    ProtectedFile("supervision.RectificationAttachment", "file", "item__notice", "supervision.Rectification",
                  lambda a: reverse("supervision:attachment", args=[a.pk])),
]


def find_visible(user, name: str) -> tuple[ProtectedFile, object] | None:
    """The entry and object holding the stored file ``name``, if ``user`` may see its owner."""
    for entry in PROTECTED_FILES:
        model = apps.get_model(entry.model)
        owners = apps.get_model(entry.owner_model).objects.visible_to(user)
        obj = model.objects.filter(**{entry.field: name, f"{entry.owner}__in": owners.values("pk")}).first()
        if obj is not None:
            return entry, obj
    return None


@require_GET
def media_file(request: HttpRequest, name: str) -> HttpResponse:
    found = find_visible(request.user, name) if request.user.is_authenticated else None
    if found is None:
        raise Http404
    entry, obj = found
    if entry.view_url is not None:
        return redirect(entry.view_url(obj))
    return serve_file(getattr(obj, entry.field), as_attachment=True)
