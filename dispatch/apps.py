from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("指挥调度")

    def ready(self) -> None:
        from dispatch import refcache

        refcache.connect_signals()

        # Provisional ticket deadlines are computed again once a year's holiday schedule is entered.
        from dispatch.sla import recompute_provisional_tickets
        from enforcement.workdays import calendar_changed

        calendar_changed.connect(recompute_provisional_tickets, dispatch_uid="dispatch_recompute_provisional")

        # Menu entries (enforcement.navigation: apps register their own from ready()).
        from enforcement.models import Role
        from enforcement.navigation import NavEntry, register

        register(NavEntry("dispatch-board", _("指挥调度"), "dispatch:board",
                          roles=frozenset({Role.DISPATCHER, Role.ADMINISTRATOR}), order=30))
        register(NavEntry("dispatch-township", _("乡镇待办"), "dispatch:township-inbox",
                          roles=frozenset({Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER}), order=31))
        register(NavEntry("dispatch-agency", _("单位待办"), "dispatch:agency-inbox",
                          roles=frozenset({Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER, Role.DEPARTMENT_STAFF}),
                          order=32))
        register(NavEntry("dispatch-tickets", _("工单查询"), "dispatch:ticket-list",
                          roles=frozenset({Role.JUDICIAL_REVIEWER, Role.LEGAL_REVIEWER}), order=33))

        # The "ticket to another agency" action of inspection records (enforcement imports no other app).
        from dispatch.actions import register_inspection_ticket_action

        register_inspection_ticket_action()
