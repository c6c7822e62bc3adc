from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("执法监督")

    def ready(self) -> None:
        # Menu entries live with the app (enforcement.navigation skips names that do not reverse).
        from enforcement.models import Role
        from enforcement.navigation import NavEntry, register

        judicial = frozenset({Role.JUDICIAL_REVIEWER, Role.ADMINISTRATOR})
        agencies = frozenset({Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER,
                              Role.SQUADRON_LEADER})
        register(NavEntry("review-files", _("我的评查案卷"), "supervision:my-files",
                          roles=frozenset({Role.JUDICIAL_REVIEWER}), order=50))
        register(NavEntry("review-plans", _("案卷评查"), "supervision:plans", roles=judicial | agencies,
                          match_prefix=False, order=51))
        register(NavEntry("review-coverage", _("评查覆盖"), "supervision:coverage", roles=judicial, order=52))
        # The annual disclosure report (supervision.disclosure): the bureau prepares it, the judicial bureau approves.
        register(NavEntry("annual-report", _("年度报告"), "disclosure:list",
                          roles=judicial | frozenset({Role.LEGAL_REVIEWER, Role.DISPATCHER}),
                          visible=_reads_reports, order=54))
        register(NavEntry("rectifications", _("整改通知"), "supervision:rectifications",
                          roles=judicial | agencies, order=53))
        # Performance evaluation (supervision/evaluation/).
        bureau = frozenset({Role.ADMINISTRATOR, Role.DISPATCHER})
        townships = frozenset({Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER})
        register(NavEntry("evaluation-units", _("单位考核排名"), "supervision:evaluation:units",
                          roles=bureau | {Role.JUDICIAL_REVIEWER}, order=54))
        register(NavEntry("evaluation-ratings", _("单位年度评定"), "supervision:evaluation:ratings",
                          roles=bureau | {Role.JUDICIAL_REVIEWER}, order=55))
        register(NavEntry("evaluation-township", _("乡镇考核评价"), "supervision:evaluation:township",
                          roles=townships, order=56))
        register(NavEntry("evaluation-officers", _("执法人员年度考核"), "supervision:evaluation:officers",
                          roles=bureau, order=57))
        register(NavEntry("evaluation-mine", _("我的年度考核"), "supervision:evaluation:my-assessment",
                          roles=agencies, order=58))


def _reads_reports(user) -> bool:
    """Whether the menu offers the report list (disclosure.permissions.can_read_report decides on the page).

    The role is not enough: a township's legal reviewer is not the bureau's, and the page answers
    404. The menu is drawn on every page, so it asks the request's scope (no query): these roles read
    the reports in the county-wide agencies (bureau, command centre, legal-review centre, judicial
    bureau) only.
    """
    from enforcement.access import is_administrator, scope_for

    return is_administrator(user) or scope_for(user).county_wide
