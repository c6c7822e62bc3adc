"""The one schedule of periodic work (Celery beat).

Every app declares its periodic tasks here so that there is a single place to
read what runs when. Tasks must be idempotent: beat may fire twice.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Sends whatever the on-commit kick did not reach (broker down, process killed after commit).
    "outbox-drain": {"task": "enforcement.tasks.drain_outbox", "schedule": 30.0},
    "calendar-coverage-check": {
        "task": "enforcement.tasks.check_calendar_coverage",
        "schedule": crontab(minute=0, hour=6),
    },
    # Published devolution batches go in force on their effective date (idempotent; hourly catches up).
    # Provisional deadlines move once a year's holidays are entered; the save queues this at once,
    # and the nightly run catches up when the broker was down at that moment (idempotent).
    "recompute-provisional-deadlines": {
        "task": "enforcement.tasks.recompute_provisional_deadlines",
        "schedule": crontab(minute=30, hour=2),
    },
    "devolution-enact-due-batches": {
        "task": "devolution.tasks.enact_due_batches",
        "schedule": crontab(minute=10),
    },
    "dispatch-sweep-ticket-warnings": {"task": "dispatch.tasks.sweep_ticket_warnings", "schedule": crontab()},
    # The board's summary of open tickets: delta rows folded every minute; rebuilt from the tickets
    # nightly, reporting any drift (dispatch.summary).
    "dispatch-compact-ticket-counts": {"task": "dispatch.tasks.compact_ticket_counts", "schedule": crontab()},
    "dispatch-reconcile-ticket-counts": {"task": "dispatch.tasks.reconcile_ticket_counts",
                                         "schedule": crontab(minute=40, hour=3)},
    # Sealing/seizure periods, emergency approvals (24 h) and court-application windows to yellow/red.
    "coercion-deadline-sweep": {
        "task": "enforcement.coercion.tasks.sweep_coercion_warnings",
        "schedule": crontab(minute="5-59/15"),
    },
    "case-deadline-sweep": {"task": "enforcement.tasks.sweep_case_warnings", "schedule": crontab(minute="*/15")},
    # Warning-first enforcement: correction deadlines to yellow/red, officers told once per change.
    "warning-deadline-sweep": {"task": "enforcement.warnings.tasks.sweep_warning_levels",
                               "schedule": crontab(minute="5-59/15")},
    # Rectification notices to yellow/red; from 1 November, agencies the year has not reviewed.
    "review-warning-sweep": {"task": "supervision.tasks.sweep_review_warnings", "schedule": crontab(minute=20)},
    # 国办发〔2018〕118号: last year's enforcement data by 31 January. The draft is built on 2 January
    # (idempotent: a draft is rebuilt, a published report left alone); from 20 January a daily warning.
    "disclosure-build-previous-year": {
        "task": "supervision.disclosure.build_previous_year",
        "schedule": crontab(minute=0, hour=3, day_of_month=2, month_of_year=1),
    },
    "disclosure-warnings": {"task": "supervision.disclosure.sweep_warnings", "schedule": crontab(minute=0, hour=8)},
}
