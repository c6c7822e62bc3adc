"""The one workflow mechanism every app uses for state changes.

A stateful model declares its states as a ``TextChoices`` and its allowed
transitions with django-fsm-2's ``@transition`` decorator on methods of the
model (the transition table lives with the model, as in django-oscar's
pipeline). Nothing calls those methods directly: services call
:func:`perform_transition`, which

1. locks the row with ``select_for_update`` so that two people acting at once
   cannot both win; the loser gets :class:`~enforcement.errors.Conflict`;
2. checks the transition is allowed from the current state, that the actor has
   the transition's permission, and its conditions; the transition method may
   raise :class:`~enforcement.errors.DomainError` for preconditions it checks
   with a message;
3. saves only the fields that changed (``update_fields``), writes one
   append-only :class:`~enforcement.models.Event`, all in one transaction, and
   queues side effects with ``transaction.on_commit``.

Example::

    class Ticket(WorkflowModel):
        status = FSMField(choices=Status.choices, default=Status.NEW, protected=True)

        @transition(field=status, source=Status.ASSIGNED, target=Status.ACCEPTED,
                    permission=lambda t, user: scope_for(user).covers_agency(t.agency_id),
                    custom={"label": _("签收")})
        def accept(self, *, by):
            self.accepted_at = timezone.now()

    def ticket_accept(ticket, *, by):
        return perform_transition(ticket, "accept", by=by)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import FSMField, FSMFieldMixin, FSMModelMixin, TransitionNotAllowed

from enforcement.errors import Conflict, InvalidTransition, NotFound, PermissionRefused

# The submodule, not the package: models (e.g. cases) import this module while
# enforcement.models is still initialising.
from enforcement.models.events import Event

M = TypeVar("M", bound=models.Model)

__all__ = [
    "NO_AGENCY",
    "FSMField",
    "WorkflowModel",
    "ensure_seen",
    "lock_as_seen",
    "perform_transition",
    "record_event",
    "state_field_name",
    "event_label",
    "transition_label",
]


class WorkflowModel(FSMModelMixin, models.Model):
    """Base for models with a state machine (lets ``refresh_from_db`` load protected fields)."""

    class Meta:
        abstract = True


def state_field_name(model: type[models.Model]) -> str:
    for f in model._meta.concrete_fields:
        if isinstance(f, FSMFieldMixin):
            return f.name
    raise TypeError(f"{model.__name__} has no FSMField")


def _transition_meta(instance: models.Model, action: str):
    method = getattr(instance, action, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{type(instance).__name__}.{action} is not a transition")
    return method, meta


def _transition_field_name(instance: models.Model, action: str) -> str:
    _method, meta = _transition_meta(instance, action)
    field = meta.field
    return field if isinstance(field, str) else field.name


def transition_label(instance: models.Model, action: str) -> str:
    """The user-facing name of a transition (its ``custom={"label": ...}``), else the action name."""
    _method, meta = _transition_meta(instance, action)
    for t in meta.transitions.values():
        label = t.custom.get("label")
        if label:
            return str(label)
    return action


def event_label(instance: models.Model, action: str, labels: Mapping[str, Any] | None = None) -> str:
    """The name of an event in a history: the app's label for a recorded event, else the transition's, else the key."""
    if labels and action in labels:
        return str(labels[action])
    try:
        return transition_label(instance, action)
    except TypeError:
        return action


def _state_label(instance: models.Model, field_name: str, value: str) -> str:
    choices = dict(instance._meta.get_field(field_name).flatchoices)
    return str(choices.get(value, value))


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key}


def lock_as_seen(instance: M, *, seen_state: str | None = None, field_name: str | None = None) -> M:
    """Lock ``instance``'s row (inside a transaction) and return the fresh copy.

    Raises :class:`Conflict` when the state changed since the actor loaded the
    object (``seen_state``, by default the state ``instance`` carries), so an
    action is never applied to a state the actor did not see. Transitions use
    it through :func:`perform_transition`; services use it directly for
    actions that change other fields but not the state. ``field_name`` names
    the state field of a model with more than one (default: its first).
    """
    model = type(instance)
    field_name = field_name or state_field_name(model)
    seen = getattr(instance, field_name) if seen_state is None else seen_state
    try:
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
    except model.DoesNotExist:
        raise NotFound() from None
    ensure_seen(locked, seen, field_name=field_name)
    return locked


def ensure_seen(instance: models.Model, seen_state: str | None, *, field_name: str | None = None) -> None:
    """Raise :class:`Conflict` unless ``instance`` is still in ``seen_state`` (``None``: not checked).

    Pages and API clients send the state the actor saw with an action (the
    ``seen_status`` of a ticket's forms), so that someone acting on a page
    loaded before a colleague's action gets this conflict message, not a
    puzzling "cannot do X in state Y".
    """
    if seen_state is None or seen_state == "":
        return
    field_name = field_name or state_field_name(type(instance))
    current = getattr(instance, field_name)
    if current != seen_state:
        raise Conflict(
            _("“%(obj)s”已被他人处理（当前状态：%(state)s），请刷新页面后重试。")
            % {"obj": instance, "state": _state_label(instance, field_name, current)}
        )


def perform_transition(
    instance: M,
    action: str,
    *,
    by,
    note: str = "",
    data: dict | None = None,
    public: bool = False,
    agency=None,
    on_commit: Callable[[M], None] | None = None,
    **kwargs,
) -> M:
    """Run transition ``action`` on ``instance`` for user ``by`` and return the updated row.

    ``instance`` is the object as the actor saw it: if its state changed in the
    meantime the call raises :class:`Conflict` rather than acting on a state
    the actor never saw. Extra keyword arguments go to the transition method.
    """
    model = type(instance)
    # A model may have more than one state field (an item's review result and its validity): use the transition's.
    field_name = _transition_field_name(instance, action)
    with transaction.atomic():
        locked = lock_as_seen(instance, field_name=field_name)
        current = getattr(locked, field_name)
        method, meta = _transition_meta(locked, action)
        label = transition_label(locked, action)
        if not meta.has_transition(current):
            raise InvalidTransition(
                _("当前状态“%(state)s”下不能执行“%(action)s”。")
                % {"state": _state_label(locked, field_name, current), "action": label}
            )
        if by is not None and not meta.has_transition_perm(locked, current, by):
            raise PermissionRefused(_("您没有权限执行“%(action)s”。") % {"action": label})
        if not meta.conditions_met(locked, current):
            raise InvalidTransition(_("“%(action)s”的前提条件尚未满足。") % {"action": label})
        before = _snapshot(locked)
        try:
            method(by=by, **kwargs)
        except TransitionNotAllowed as exc:  # pragma: no cover - guarded above
            raise InvalidTransition(str(exc)) from exc
        after = _snapshot(locked)
        changed = [name for name, value in after.items() if before[name] != value]
        # attname -> field name for foreign keys
        attn = {f.attname: f.name for f in locked._meta.concrete_fields}
        locked.save(update_fields=[attn[a] for a in changed] or [field_name])
        Event.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            action=action,
            from_state=current,
            to_state=getattr(locked, field_name),
            actor=by,
            actor_agency=_event_agency(agency, by),
            note=note,
            data=data or {},
            is_public=public,
        )
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(locked))
    return locked


def record_event(
    instance: models.Model,
    action: str,
    *,
    by,
    note: str = "",
    data: dict | None = None,
    public: bool = False,
    agency=None,
) -> Event:
    """Write an event that changes no state (created, urged, commented, file viewed...)."""
    state = ""
    try:
        state = getattr(instance, state_field_name(type(instance)))
    except TypeError:
        pass
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        action=action,
        from_state=state,
        to_state=state,
        actor=by,
        actor_agency=_event_agency(agency, by),
        note=note,
        data=data or {},
        is_public=public,
    )


class _NoAgency:
    def __repr__(self) -> str:
        return "NO_AGENCY"


# ``agency=NO_AGENCY``: the actor acts for no agency (a client system pushing a report), so the
# event's agency is empty without working out the actor's memberships.
NO_AGENCY = _NoAgency()


def _event_agency(agency, by):
    if agency is NO_AGENCY:
        return None
    return agency if agency is not None else _actor_agency(by)


def _actor_agency(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from enforcement.access import scope_for

    agency_id = scope_for(user).primary_agency_id
    if agency_id is None:
        return None
    from enforcement.models.agencies import Agency

    return Agency(pk=agency_id)
