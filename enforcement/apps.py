from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("执法核心")

    def ready(self) -> None:
        from . import signals  # noqa: F401
