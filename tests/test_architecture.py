"""The import graph keeps the architecture: no cycle inside an app, apps depend one way, models below services.

ARCHITECTURE.md "Dependency direction" and "Layout": ``enforcement <- devolution,
dispatch <- supervision``; inside an app models <- permissions <- services/selectors
<- forms/views/api, and an import cycle inside an app is a defect. Imports inside
functions count too (a lazy import does not remove a cycle); imports under
``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import grimp
import pytest

APPS = ("enforcement", "dispatch", "devolution", "supervision")
# What each app may import (besides itself).
ALLOWED = {
    "enforcement": set(),
    "dispatch": {"enforcement"},
    "devolution": {"enforcement"},
    "supervision": {"enforcement", "dispatch", "devolution"},
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS, exclude_type_checking_imports=True, cache_dir=None)


def _cycles(graph, app: str) -> list[list[str]]:
    """Strongly connected components of more than one module among ``app``'s modules (Tarjan)."""
    modules = {m for m in graph.modules if m == app or m.startswith(app + ".")}
    edges = {m: {n for n in graph.find_modules_directly_imported_by(m) if n in modules} for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def _imports_in(graph, app: str):
    for module in sorted(graph.modules):
        if module == app or module.startswith(app + "."):
            for imported in graph.find_modules_directly_imported_by(module):
                yield module, imported


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_inside_an_app(graph, app):
    cycles = _cycles(graph, app)
    details = []
    for component in cycles:
        members = set(component)
        arrows = [f"{a} -> {b}" for a in component for b in sorted(graph.find_modules_directly_imported_by(a))
                  if b in members]
        details.append("\n  ".join(arrows))
    assert not cycles, "import cycles:\n  " + "\n\n  ".join(details)


@pytest.mark.parametrize("app", APPS)
def test_apps_import_only_in_the_allowed_direction(graph, app):
    wrong = sorted(
        f"{module} -> {imported}"
        for module, imported in _imports_in(graph, app)
        if imported.split(".")[0] in APPS and imported.split(".")[0] != app
        and imported.split(".")[0] not in ALLOWED[app]
    )
    assert not wrong, "imports against the app direction:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("app", APPS)
def test_models_never_import_services(graph, app):
    def is_models(name):
        return name.endswith(".models") or ".models." in name

    def is_service(name):
        return name.endswith(".services") or ".services." in name or name.endswith(
            (".tasks", ".views", ".api", ".forms"))

    wrong = sorted(f"{m} -> {i}" for m, i in _imports_in(graph, app) if is_models(m) and is_service(i))
    assert not wrong, "models importing services, tasks or views:\n  " + "\n  ".join(wrong)


def test_the_graph_is_read(graph):
    # The checks above mean nothing on an empty graph: the case services import the case models.
    assert "enforcement.cases.models" in graph.find_modules_directly_imported_by("enforcement.cases.services.lifecycle")
