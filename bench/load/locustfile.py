"""Locust users of the load test: the public, dispatchers and township officers on the demo county.

Started by bench/load/run_load.py, which seeds the demo county, starts gunicorn
on 127.0.0.1 and hands this file the personas in a JSON file (``LOAD_CONFIG``):
for each dispatcher and township officer its API token and a signed-in session,
and the (township, matter) pairs the township itself handles. What users do:

* the public (3 in 10): the public pages, the catalogue, decisions and Open311's list;
* dispatchers (2 in 10): the board and ticket list pages; intake a ticket through the
  API (``POST /api/tickets/``), triage it to a matter of its township and assign it;
* township officers (5 in 10): their inbox page and ticket list; sign for a ticket
  assigned to their township (accept), start handling one and resolve one, each with
  the ``seen_status`` they read, as the API asks.

A 409 (someone else moved the ticket first, or a deadline rule refused) is a
legitimate answer and not counted as an error; every other non-2xx is. Each
successful write is counted by action and written to ``LOAD_RESULT`` at the end,
so the runner can compare them with the workflow events in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections import Counter

from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())
# Successful writes by workflow action: the runner compares them with Event rows.
DONE: Counter = Counter()
# 409s by action: legitimate refusals (the ticket moved on), reported apart from errors.
CONFLICTS: Counter = Counter()
_dispatchers = itertools.cycle(CONFIG["dispatchers"])
_officers = itertools.cycle(CONFIG["officers"])
_rng = random.Random(20261207)


@events.quitting.add_listener
def _write_result(environment, **kwargs):
    with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as out:
        json.dump({"done": DONE, "conflicts": CONFLICTS}, out)


class Staff(HttpUser):
    """A signed-in member of staff: pages with the session cookie, writes with the API token."""

    abstract = True
    wait_time = between(2, 6)
    persona: dict

    def on_start(self) -> None:
        self.api = {"Authorization": f"Token {self.persona['token']}"}
        # Set by hand: the session cookie is Secure in production and this is plain HTTP on loopback.
        self.page = {"Cookie": f"{CONFIG['session_cookie']}={self.persona['session']}"}

    def read_page(self, path: str, name: str | None = None) -> None:
        with self.client.get(
            path, headers=self.page, name=name or path, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def tickets(self, **params) -> list[dict]:
        with self.client.get(
            "/api/tickets/",
            params={"page_size": 20, **params},
            headers=self.api,
            name="/api/tickets/?status=...",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return []
            return response.json().get("results", [])

    def act(self, ticket: dict, action: str, body: dict | None = None) -> dict | None:
        """POST an action with the status read; count it when it succeeds."""
        payload = {"seen_status": ticket["status"], **(body or {})}
        with self.client.post(
            f"/api/tickets/{ticket['id']}/{action}/",
            json=payload,
            headers=self.api,
            name=f"/api/tickets/[id]/{action}/",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                DONE[action] += 1
                return response.json()
            if response.status_code == 409:
                CONFLICTS[action] += 1
                response.success()
                return None
            response.failure(f"{response.status_code} {response.text[:200]}")
            return None


class Dispatcher(Staff):
    weight = 2

    def on_start(self) -> None:
        self.persona = next(_dispatchers)
        super().on_start()

    @task(3)
    def board(self) -> None:
        self.read_page("/dispatch/")

    @task(3)
    def ticket_list(self) -> None:
        self.read_page("/dispatch/tickets/")

    @task(2)
    def intake_triage_assign(self) -> None:
        township, matter = _rng.choice(CONFIG["pairs"])
        with self.client.post(
            "/api/tickets/",
            json={
                "channel": "staff",
                "township": township,
                "description": "压测：菜市场门口流动摊贩占道经营，请核查处理。",
                "reporter_phone": "13800000000",
                "place": "人民路 1 号",
            },
            headers=self.api,
            name="/api/tickets/ (intake)",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code} {response.text[:200]}")
                return
            DONE["intake"] += 1
            ticket = response.json()
        ticket = self.act(ticket, "triage", {"matter": matter, "township": township})
        if ticket is not None:
            self.act(ticket, "assign")


class Officer(Staff):
    weight = 5

    def on_start(self) -> None:
        self.persona = next(_officers)
        super().on_start()

    @task(3)
    def inbox(self) -> None:
        self.read_page("/dispatch/inbox/township/")

    @task(2)
    def ticket_list(self) -> None:
        self.read_page("/dispatch/tickets/")

    @task(2)
    def accept_one(self) -> None:
        found = self.tickets(status="assigned", agency=self.persona["township"])
        if found:
            self.act(_rng.choice(found), "accept")

    @task(1)
    def start_one(self) -> None:
        found = self.tickets(status="accepted", agency=self.persona["township"])
        if found:
            self.act(_rng.choice(found), "start")

    @task(1)
    def resolve_one(self) -> None:
        found = self.tickets(status="in_progress", agency=self.persona["township"])
        if found:
            self.act(_rng.choice(found), "resolve", {"resolution": "压测：已到场劝离，现场恢复整洁。"})


class Public(HttpUser):
    weight = 3
    wait_time = between(2, 6)

    @task(3)
    def index(self) -> None:
        self.client.get("/public/")

    @task(2)
    def catalogue(self) -> None:
        self.client.get(
            "/public/catalogue/",
            params={"q": _rng.choice(["占道", "噪声", "广告", "垃圾"])},
            name="/public/catalogue/?q=...",
        )

    @task(1)
    def decisions(self) -> None:
        self.client.get("/public/decisions/")

    @task(1)
    def open311(self) -> None:
        self.client.get("/open311/v2/requests.json", name="/open311/v2/requests.json")
