"""One table of actions per stateful object, served by both the pages and the API.

Each :class:`Action` names, once: its label, the form that validates its input
(the page renders it; the API validates the request body with it), how the
page shows its button (``tone``), and ``run``, the one service call it makes.
An :class:`ActionTable` adds the coarse "which actions does this user see on
this object now" guide. A page action and its API twin therefore run the same
form and the same service and cannot drift apart; the services still check
every permission and precondition and refuse with a domain error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms

from enforcement.errors import ValidationFailed


@dataclass(frozen=True)
class Action:
    key: str
    label: Any  # a lazy translation
    form: type[forms.BaseForm]
    run: Callable[..., Any]  # run(obj, by=user, data=cleaned_data) -> the changed object or a new row
    tone: str = "primary"  # Bootstrap colour of the page's button: primary, success, outline-danger, ...
    confirm: Any = ""  # a question the page asks before posting
    form_kwargs: Callable[[Any, Any], dict] | None = field(default=None, compare=False)

    @property
    def multipart(self) -> bool:
        return any(f.widget.needs_multipart_form for f in self.form.base_fields.values())


class ActionTable:
    """The actions of one kind of object, and which of them a user sees on an object now."""

    def __init__(self, actions: Iterable[Action], available: Callable[[Any, Any], Iterable[str]]):
        self._actions = {a.key: a for a in actions}
        self._available = available

    def __contains__(self, key: object) -> bool:
        return key in self._actions

    def __getitem__(self, key: str) -> Action:
        return self._actions[key]

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions.values())

    def get(self, key: str) -> Action | None:
        return self._actions.get(key)

    def keys(self) -> list[str]:
        return list(self._actions)

    def available(self, obj, user) -> list[str]:
        """Keys of the actions ``user`` is offered on ``obj`` now (buttons, the API's ``actions``)."""
        return [key for key in self._available(obj, user) if key in self._actions]

    def form(self, key: str, obj, user, data=None, files=None, **extra) -> forms.BaseForm:
        action = self._actions[key]
        kwargs = dict(action.form_kwargs(obj, user)) if action.form_kwargs else {}
        kwargs.update(extra)
        if data is None:
            return action.form(**kwargs)
        return action.form(data, files, **kwargs)

    def validate(self, key: str, obj, user, data, files=None) -> dict:
        """The API's path: validate a request body with the action's form or raise ValidationFailed (400)."""
        form = self.form(key, obj, user, data, files)
        if not form.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
            first = next(iter(fields.values()))[0]
            raise ValidationFailed(first, fields=fields)
        return form.cleaned_data

    def perform(self, key: str, obj, *, by, data: dict):
        """Run action ``key`` on ``obj`` with validated ``data``: the one service call both pages and API make."""
        return self._actions[key].run(obj, by=by, data=dict(data))
