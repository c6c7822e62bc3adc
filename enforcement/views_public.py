"""Public pages (no login): the landing page under /public/.

Public pages never show personal data and use ``public/base_public.html``,
which has no internal navigation.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from enforcement.navigation import public_links


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # The bureau's name comes from the context processor (enforcement.context_processors).
    return render(request, "public/index.html", {"links": public_links()})
