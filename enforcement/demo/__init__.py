"""Demo data: the steps ``manage.py seed_demo`` runs, in order.

Each step is a callable ``step(stdout, password)`` (or its dotted path) that
writes its rows idempotently: stable codes, ``update_or_create`` /
``get_or_create`` or bulk upserts, so running the command twice leaves the
same rows. Later apps add their own steps without the core importing them
(ARCHITECTURE.md "Dependency direction"): either append a dotted path to
:data:`SEED_STEPS`, or give the app a ``demo`` module (package) that decorates
its steps with :func:`seed_step`; the command imports every app's ``demo``
module first, in ``INSTALLED_APPS`` order, so a step can rely on the steps of
the apps it depends on. A step that creates a login worth showing adds it to
:data:`KEY_LOGINS`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.utils.module_loading import import_string

SeedStep = Callable[..., object]

# Callables or dotted paths, run in this order.
SEED_STEPS: list[SeedStep | str] = [
    "enforcement.demo.seed_county.seed_county",
    "enforcement.demo.catalogue_seed.seed_catalogue",
    "enforcement.demo.cases_seed.seed_cases",
    "enforcement.coercion.demo.seed_coercion",
    "enforcement.inspections.demo.seed_inspections",
    "enforcement.warnings.demo.seed_warnings",
]

# (username, role) pairs printed at the end of the command: one line per role.
KEY_LOGINS: list[tuple[str, str]] = []

DEFAULT_PASSWORD = "demo12345"


def seed_step(func: SeedStep) -> SeedStep:
    """Register ``func`` as a seed step (decorator for apps' ``demo`` modules)."""
    if func not in SEED_STEPS:
        SEED_STEPS.append(func)
    return func


def add_key_login(username: str, role: str) -> None:
    if (username, role) not in KEY_LOGINS:
        KEY_LOGINS.append((username, role))


def resolve_steps() -> list[SeedStep]:
    return [import_string(step) if isinstance(step, str) else step for step in SEED_STEPS]


@lru_cache(maxsize=4)
def demo_password_hash(password: str) -> str:
    """One hash shared by every demo user of a run.

    Hashing is deliberately slow (PBKDF2); hashing once instead of once per
    user keeps seeding a few hundred users within seconds. Every step should
    set ``User.password`` to this value, which also lets the command count the
    demo logins by their hash.
    """
    return make_password(password)
