"""The actions on a disclosure report, declared once for the pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enforcement.actions import Action, ActionTable
from supervision.disclosure import services
from supervision.disclosure.choices import ReportStatus
from supervision.disclosure.forms import AmendForm, EmptyForm, NoteForm, RequiredNoteForm
from supervision.disclosure.permissions import can_edit_report, can_publish_report, can_review_report

S = ReportStatus


def _available(report, user) -> list[str]:
    keys = []
    newest = not getattr(report, "has_newer", False)
    if report.status == S.DRAFT:
        if can_edit_report(report, user):
            keys += ["amend"]
        if can_review_report(report, user) and report.built_at:
            keys.append("review")
    elif report.status == S.REVIEWED:
        if can_publish_report(report, user):
            keys.append("publish")
        if can_review_report(report, user):
            keys.append("send_back")
    elif report.status == S.PUBLISHED and newest and can_edit_report(report, user):
        keys.append("correct")
    return keys


REPORT_ACTIONS = ActionTable(
    [
        Action(
            "amend", _("保存修订"), AmendForm, lambda r, *, by, data: services.report_amend(r, text=data["text"], by=by)
        ),
        Action(
            "review",
            _("审核通过"),
            NoteForm,
            tone="success",
            run=lambda r, *, by, data: services.report_review(r, by=by, note=data.get("note", "")),
        ),
        Action(
            "send_back",
            _("退回修改"),
            RequiredNoteForm,
            tone="outline-danger",
            run=lambda r, *, by, data: services.report_send_back(r, by=by, note=data["note"]),
        ),
        Action(
            "publish",
            _("公开并报送县政府"),
            EmptyForm,
            tone="success",
            confirm=_("公开后报告不再改变，确定公开并报送县人民政府？"),
            run=lambda r, *, by, data: services.report_publish(r, by=by),
        ),
        Action(
            "correct",
            _("生成更正版本"),
            RequiredNoteForm,
            tone="outline-secondary",
            run=lambda r, *, by, data: services.report_correct(r, note=data["note"], by=by),
        ),
    ],
    _available,
)
