"""No dead link and no server error anywhere: every role crawls the seeded demo county.

Each role logs in, opens its home page and follows every internal link two
levels deep. A 404 or a 500 on a link the site itself shows is a defect (the
page offered something that does not exist or cannot render). The demo data
holds tickets, cases and batches in every state, written both by people and by
the system, so the crawl renders each kind of page for each kind of record.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from devolution.models import DevolutionBatch
from dispatch.models import Ticket
from enforcement.demo import county
from enforcement.models import Case, Event

# Paths never followed: signing out ends the crawl, files and exports are heavy and
# have their own tests, admin is Django's own beyond its index page.
SKIPPED_PREFIXES = ("/accounts/logout", "/i18n/", "/media/", "/static/", "/admin/")
SKIPPED_SUFFIXES = (".pdf", ".csv", ".xlsx", ".zip", ".json", ".xml", ".geojson")
SKIPPED_MARKERS = ("/download/", "/export", "/pdf/", "/attachments/")
DEPTH = 2
# Pages of one shape (same path but for its numbers and codes, e.g. /cases/<id>/, or a list
# with some query) render through the same view and template: half a dozen of each per role keeps
# the crawl within a minute and a half. Every case state is rendered by test_cases_every_state.
PER_SHAPE = 6


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and "download" not in dict(attrs):
                self.hrefs.append(href)


def _shape(url: str) -> str:
    path, _sep, query = url.partition("?")
    return re.sub(r"[A-Z]*-?\d+", "N", path) + ("?" if query else "")


def _internal_links(base: str, html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    out = set()
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path
        if path.startswith(SKIPPED_PREFIXES) and path != "/admin/":
            continue
        if path.endswith(SKIPPED_SUFFIXES) or any(marker in path for marker in SKIPPED_MARKERS):
            continue
        out.add(path + (f"?{parts.query}" if parts.query else ""))
    return out


def _crawl(client: Client) -> tuple[int, list[str]]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    failures: list[str] = []
    frontier = {"/"}
    for _level in range(DEPTH + 1):
        following: set[str] = set()
        for url in sorted(frontier - seen):
            shape = _shape(url)
            if shapes[shape] >= PER_SHAPE:
                continue
            shapes[shape] += 1
            seen.add(url)
            response = client.get(url)
            if response.status_code in (301, 302):
                continue
            if response.status_code >= 500 or response.status_code == 404:
                failures.append(f"{response.status_code} {url}")
                continue
            content_type = response.get("Content-Type", "")
            if "text/html" in content_type and not response.streaming:
                following |= _internal_links(url, response.content.decode(errors="replace"))
        frontier = following
    return len(seen), failures


LOGINS = [username for username, _role in county.KEY_LOGINS] + [county.GRID_MEMBER_LOGIN]


def _signed_in(username: str):
    user = get_user_model().objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return user, client


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_every_link_a_role_sees_answers(demo_county, username):
    _user, client = _signed_in(username)
    started = time.monotonic()
    pages, failures = _crawl(client)
    print(f"{username}: {pages} pages in {time.monotonic() - started:.1f} s")
    assert pages > 5
    assert failures == []


STATE_ROLES = ["admin", "dispatcher1", "chengguan_officer1", "chengguan_squad1", "legal_reviewer1",
               "judicial_reviewer1", "zrzy_staff1"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", STATE_ROLES)
def test_every_record_state_renders_for_whoever_sees_it(demo_county, username):
    """One case, ticket and batch per state (and every case with a system-written event), as each role."""
    user, client = _signed_in(username)
    urls = []
    for model, name in ((Case, "cases:detail"), (Ticket, "dispatch:ticket-detail"),
                        (DevolutionBatch, "devolution:batch-detail")):
        visible = model.objects.visible_to(user)
        one_per_state = dict(visible.order_by("-pk").values_list("status", "pk"))
        urls += [reverse(name, args=[pk]) for pk in one_per_state.values()]
    system_made = Event.objects.filter(actor__isnull=True, content_type=ContentType.objects.get_for_model(Case))
    system_made = system_made.values("object_id")
    urls += [reverse("cases:detail", args=[pk])
             for pk in Case.objects.visible_to(user).filter(pk__in=system_made).values_list("pk", flat=True)[:20]]
    failures = [f"{r.status_code} {url}" for url in urls if (r := client.get(url)).status_code != 200]
    assert failures == []
