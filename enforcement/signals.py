"""Signal receivers. State changes go through services; signals only keep caches honest."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from enforcement.models.calendar import CalendarYear, HolidayOverride


@receiver([post_save, post_delete], sender=HolidayOverride, dispatch_uid="workdays_override_changed")
@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="workdays_calendar_year_changed")
def invalidate_working_day_calendar(sender, **kwargs) -> None:
    """A holiday override or year changed: cached working-day lookups are stale (enforcement.workdays)."""
    from django.db import transaction

    from enforcement.workdays import invalidate_calendar_cache

    invalidate_calendar_cache()
    # Deadlines stored as provisional may move now (issue 13 point 13); the task is idempotent.
    transaction.on_commit(_schedule_recompute)


def _schedule_recompute() -> None:
    from enforcement.tasks import recompute_provisional_deadlines

    recompute_provisional_deadlines.delay()
