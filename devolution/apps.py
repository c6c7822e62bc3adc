from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevolutionConfig(AppConfig):
    name = "devolution"
    verbose_name = _("赋权下放")
