from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法核心")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Registered at start: lower modules queue these tasks by name (they sit below enforcement.tasks).
        from enforcement import signals, tasks  # noqa: F401
        from enforcement.warnings import tasks as warning_tasks  # noqa: F401  (the subject package's tasks)

        post_migrate.connect(signals.name_permissions_in_chinese, dispatch_uid="name_permissions_in_chinese")
