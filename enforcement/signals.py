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
    from bureau.celery import publish

    # Never fails the administrator's save: a broker that is down leaves it to the next save or a retry.
    publish("enforcement.tasks.recompute_provisional_deadlines")


# Django names the default permissions "Can add <model>" in English whatever the language;
# the admin's user and group pages list them. Our models' names are Chinese, so the prefix is too.
PERMISSION_VERBS = {"add": "可新增", "change": "可修改", "delete": "可删除", "view": "可查看"}


def name_permissions_in_chinese(sender=None, using="default", **kwargs) -> None:
    """After migrate: "Can add 执法事项" becomes "可新增执法事项" (custom permissions keep their names)."""
    from django.contrib.auth.models import Permission

    renamed = []
    for permission in Permission.objects.using(using).filter(name__startswith="Can "):
        verb, _sep, rest = permission.name[len("Can "):].partition(" ")
        if verb in PERMISSION_VERBS and permission.codename.startswith(verb + "_"):
            permission.name = f"{PERMISSION_VERBS[verb]}{rest}"[:255]
            renamed.append(permission)
    Permission.objects.using(using).bulk_update(renamed, ["name"])
