from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevolutionConfig(AppConfig):
    name = "devolution"
    verbose_name = _("赋权下放")

    def ready(self) -> None:
        # Menu entries live with the app (enforcement.navigation skips names that do not reverse).
        from enforcement.models import Role
        from enforcement.navigation import NavEntry, register

        # Not by prefix: the power map and responsibility lists also live under /devolution/.
        register(NavEntry("devolution", _("赋权批次"), "devolution:batch-list", match_prefix=False, order=40))
        register(NavEntry("power-map", _("权力地图"), "devolution:power-map", order=41))
        register(NavEntry(
            "responsibilities", _("监管责任清单"), "devolution:responsibilities",
            # Departments keep these lists; everyone else reaches them from the devolution tabs.
            roles=frozenset({Role.DEPARTMENT_STAFF}), order=42,
        ))
