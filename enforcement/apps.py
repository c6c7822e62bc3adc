from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法核心")

    def ready(self) -> None:
        # Registered at start: lower modules queue these tasks by name (they sit below enforcement.tasks).
        from enforcement import (
            signals,  # noqa: F401
            tasks,  # noqa: F401
        )
