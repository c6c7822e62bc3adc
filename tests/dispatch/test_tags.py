"""The ticket table's labels (dispatch_tags.ticket_label) say what get_<field>_display says, in either language."""

from __future__ import annotations

import pytest
from django.utils import translation

from dispatch.choices import TicketStatus
from dispatch.models import Channel, Priority, Ticket, WarningLevel
from dispatch.templatetags.dispatch_tags import ticket_label

FIELDS = {"status": TicketStatus, "channel": Channel, "priority": Priority, "warning_level": WarningLevel}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_label_matches_the_model_display(language):
    with translation.override(language):
        for field, choices in FIELDS.items():
            for value in choices.values:
                ticket = Ticket(**{field: value})
                assert ticket_label(value, field) == getattr(ticket, f"get_{field}_display")(), (field, value)
    with translation.override("en"):
        assert ticket_label("assigned", "status") != "待签收"  # translated, not the source text
    assert ticket_label("gone", "status") == "gone"  # an unknown value is shown as it is


def _row(**over) -> Ticket:
    """An unsaved ticket with the relations the table shows (the list queries select them)."""
    import datetime as dt

    from dispatch.models import TicketCategory
    from enforcement.models import Agency

    fields = {
        "pk": 41, "number": "GD2026-000041", "title": "", "description": "摊贩<script>占道</script>  经营",
        "channel": "hotline", "priority": "normal", "status": "assigned", "warning_level": "none",
        "township": Agency(pk=3, name="甲镇"), "responsible_agency": Agency(pk=4, name="甲镇 & 中队"),
        "category": TicketCategory(pk=5, name="市容<环境>"),
        # 2026-12-07 23:30 UTC is 2026-12-08 07:30 in Asia/Shanghai (UTC+8): the table shows local time.
        "received_at": dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC),
        "resolve_due": dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC),
    }
    fields.update(over)
    return Ticket(**fields)


def test_ticket_rows_show_every_column_escaped_and_in_local_time():
    from dispatch.templatetags.dispatch_tags import ticket_rows

    with translation.override("zh-hans"):
        html = str(ticket_rows([_row()]))
    assert html.count("<tr>") == 1 and html.count("<td") == 8
    assert '<a href="/dispatch/tickets/41/">GD2026-000041</a>' in html
    assert "摊贩&lt;script&gt;占道&lt;/script&gt; 经营" in html  # summary: whitespace folded, escaped
    assert "<script>" not in html
    assert '<span class="text-muted small">[市容&lt;环境&gt;]</span>' in html
    assert ">甲镇<" in html and ">甲镇 &amp; 中队<" in html
    assert '<span class="badge text-bg-warning">待签收</span>' in html
    assert ">12-10 09:00<" in html  # 01:00 UTC + 8 h
    assert ">2026-12-08 07:30<" in html  # 23:30 UTC + 8 h: the next local day
    assert "期限待定" not in html and "badge text-bg-danger" not in html  # no provisional mark, no light


def test_ticket_rows_optional_parts():
    from dispatch.templatetags.dispatch_tags import ticket_rows

    with translation.override("en"):
        html = str(ticket_rows([
            _row(priority="emergency", warning_level="red", deadline_provisional=True, category=None),
            _row(pk=42, township=None, responsible_agency=None, resolve_due=None),
        ]))
        emergency, red = ticket_label("emergency", "priority"), ticket_label("red", "warning_level")
    assert (emergency, red) == ("Emergency", "Red")
    first, second = html.split("</tr>")[:2]
    assert f'<span class="badge text-bg-danger">{emergency}</span>' in first
    assert f'<span class="badge text-bg-danger">{red}</span>' in first
    assert 'title="' in first and ">*</span>" in first  # the provisional deadline's mark
    assert "[" not in first.split("<td>")[1]  # no category
    assert '<a href="/dispatch/tickets/42/">' in second
    assert second.count(">—<") == 3  # no township, no handling agency, no deadline
