"""The ticket pages: board, list and export, detail and its action forms, intake pages, inboxes, stats."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dispatch import services
from dispatch import views as dispatch_views
from dispatch.models import Ticket, TicketStatus
from enforcement.api_base import CappedPaginator
from tests.dispatch.conftest import png
from tests.factories import set_ticket_fields

pytestmark = pytest.mark.django_db


def detail_url(ticket):
    return reverse("dispatch:ticket-detail", args=[ticket.pk])


def action_url(ticket, action):
    return reverse("dispatch:ticket-action", args=[ticket.pk, action])


def fresh(user):
    return type(user).objects.get(pk=user.pk)


# --- board ----------------------------------------------------------------------------------------


def test_board_counts_new_unassigned_and_lights_by_township(client_for, make_ticket, assigned, dispatcher, county,
                                                            matter):
    make_ticket()
    services.ticket_triage(make_ticket(township=county.town_b), by=dispatcher, matter=matter)
    late = assigned()
    set_ticket_fields(late, warning_level="red")

    page = client_for(dispatcher).get(reverse("dispatch:board"))
    assert page.status_code == 200
    counts = page.context["counts"]
    assert (counts["new"], counts["unassigned"], counts["handling"], counts["red"]) == (1, 1, 1, 1)
    rows = {r["township"].name: r for r in page.context["by_township"]}
    assert rows["甲镇"]["open"] == 2 and rows["甲镇"]["red"] == 1 and rows["乙街道"]["new"] == 1
    assert late.number in page.content.decode()


def test_board_sends_others_to_the_list(client_for, officer_a):
    response = client_for(officer_a).get(reverse("dispatch:board"))
    assert response.status_code == 302 and response.url == reverse("dispatch:ticket-list")


def _light(ticket, level, **fields):
    set_ticket_fields(ticket, warning_level=level, **fields)
    return ticket


def test_board_counts_every_column_exactly_and_leaves_out_closed_tickets(
        client_for, make_ticket, assigned, resolved, dispatcher, officer_a, county, matter):
    make_ticket()                                                                  # A: new
    services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)           # A: triaged
    _light(assigned(), "yellow")                                                   # A: handling, yellow
    _light(assigned(), "red")                                                      # A: handling, red
    assigned()                                                                     # A: handling
    resolved()                                                                     # A: awaiting verdict
    services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=5)     # A: closed, not counted
    make_ticket(township=county.town_b)                                            # B: new
    make_ticket(township=None)                                                     # no township yet: new

    page = client_for(dispatcher).get(reverse("dispatch:board"))
    counts = page.context["counts"]
    assert {k: counts[k] for k in ("new", "unassigned", "handling", "yellow", "red", "awaiting_verdict")} == {
        "new": 3, "unassigned": 1, "handling": 3, "yellow": 1, "red": 1, "awaiting_verdict": 1}
    rows = [(r["township"].name if r["township"] else None, r["open"], r["new"], r["handling"], r["yellow"],
             r["red"], r["awaiting_verdict"]) for r in page.context["by_township"]]
    # Townships in their order; tickets not placed in a township yet come last.
    assert rows == [("甲镇", 6, 2, 3, 1, 1, 1), ("乙街道", 1, 1, 0, 0, 0, 0), (None, 1, 1, 0, 0, 0, 0)]
    assert "未定乡镇" in page.content.decode()


def test_board_lists_the_oldest_waiting_and_the_longest_overdue_red_tickets(
        client_for, make_ticket, assigned, resolved, dispatcher):
    now = timezone.now()
    young, old = make_ticket(), make_ticket()
    Ticket.objects.filter(pk=old.pk).update(received_at=now - dt.timedelta(days=2))
    late = _light(assigned(), "red", resolve_due=now - dt.timedelta(days=1))
    later = _light(assigned(), "red", resolve_due=now - dt.timedelta(days=3))
    _light(assigned(), "yellow")
    _light(resolved(), "red")  # resolved: no longer late in the assignee's hands

    page = client_for(dispatcher).get(reverse("dispatch:board"))
    assert [t.pk for t in page.context["waiting"]] == [old.pk, young.pk]
    assert [t.pk for t in page.context["late"]] == [later.pk, late.pk]


def test_board_light_cards_open_lists_of_the_same_tickets(client_for, assigned, resolved, dispatcher):
    _light(assigned(), "red")
    _light(assigned(), "yellow")
    _light(resolved(), "red")  # counted in neither card: the cards count tickets in the assignee's hands
    client = client_for(dispatcher)
    page = client.get(reverse("dispatch:board"))
    for level in ("red", "yellow"):
        link = re.search(rf'href="([^"]*warning_level={level}[^"]*)"', page.content.decode()).group(1)
        listed = client.get(link.replace("&amp;", "&")).context["page_obj"].paginator.count
        assert listed == page.context["counts"][level] == 1


def test_board_runs_constant_queries(client, make_ticket, assigned, dispatcher, county):
    assigned()
    client.force_login(dispatcher)
    few = _count(client, reverse("dispatch:board"))
    for _i in range(3):
        _light(assigned(), "red")
        make_ticket(township=county.town_b)
        make_ticket(township=None)
    assert _count(client, reverse("dispatch:board")) == few


# --- list and export --------------------------------------------------------------------------------


def test_list_shows_only_visible_tickets_and_filters(client_for, make_ticket, county, officer_a):
    mine = make_ticket(township=county.town_a, channel="hotline_12345")
    other = make_ticket(township=county.town_a, channel="staff")
    hidden = make_ticket(township=county.town_b)
    client = client_for(officer_a)

    page = client.get(reverse("dispatch:ticket-list")).content.decode()
    assert mine.number in page and other.number in page and hidden.number not in page
    filtered = client.get(reverse("dispatch:ticket-list"), {"channel": "hotline_12345"})
    assert [t.pk for t in filtered.context["tickets"]] == [mine.pk]


def test_list_shows_filter_errors(client_for, dispatcher):
    response = client_for(dispatcher).get(reverse("dispatch:ticket-list"), {"status": "bogus"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_list_page_runs_constant_queries(client, assigned, make_ticket, dispatcher, officer_a, squadron_officer,
                                        county):
    assigned()
    url = reverse("dispatch:ticket-list")
    for user in (dispatcher, officer_a, squadron_officer):
        client.force_login(user)
        few = _count(client, url, {"open": "true"})
        for _i in range(8):
            assigned()
            make_ticket(channel="patrol")
        assert _count(client, url, {"open": "true"}) == few


def test_list_count_is_capped_and_pages_past_the_cap_stay_reachable(client_for, make_ticket, dispatcher,
                                                                   monkeypatch):
    monkeypatch.setattr(dispatch_views, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(CappedPaginator, "count_cap", 3)
    tickets = [make_ticket() for _i in range(5)]
    client = client_for(dispatcher)
    url = reverse("dispatch:ticket-list")

    first = client.get(url)
    assert "共 3+ 条" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert second.context["page_obj"].has_next() and "?page=3" in second.content.decode()
    third = client.get(url, {"page": 3})  # past the pages counted: the oldest ticket
    assert [t.pk for t in third.context["tickets"]] == [tickets[0].pk]
    assert not third.context["page_obj"].has_next()
    assert client.get(url, {"page": 9}).status_code == 200


def test_list_shows_the_exact_count_below_the_cap(client_for, make_ticket, dispatcher, monkeypatch):
    monkeypatch.setattr(dispatch_views, "LIST_PAGE_SIZE", 2)
    for _i in range(3):
        make_ticket()
    page = client_for(dispatcher).get(reverse("dispatch:ticket-list")).content.decode()
    assert "共 3 条" in page and "3+" not in page


def test_status_filters_keep_the_list_query_plain_and_newest_first(client_for, make_ticket, dispatcher, county,
                                                                   matter):
    older, newer = make_ticket(channel="hotline_12345"), make_ticket(channel="patrol")
    Ticket.objects.filter(pk=older.pk).update(received_at=timezone.now() - dt.timedelta(days=1))
    services.ticket_triage(make_ticket(), by=dispatcher, matter=matter)
    client = client_for(dispatcher)
    params = {"status": ["new", "resolved"], "channel": ["hotline_12345", "patrol"], "warning_level": ["none"],
              "priority": ["normal"]}
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("dispatch:ticket-list"), params)
    assert [t.pk for t in page.context["tickets"]] == [newer.pk, older.pk]
    # No DISTINCT: it would make the database de-duplicate every match before sorting and paging.
    assert not [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]


def test_export_writes_the_filtered_list_with_masking(client_for, make_ticket, dispatcher, officer_a, county):
    make_ticket(township=county.town_a)
    make_ticket(township=county.town_a, channel="hotline_12345")
    make_ticket(township=county.town_b)

    def sheet(user, params):
        response = client_for(user).get(reverse("dispatch:ticket-export"), params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        return list(wb.active.iter_rows(values_only=True))

    rows = sheet(dispatcher, {"township": county.town_a.pk})
    assert len(rows) == 3 and rows[0][0] == "工单编号"
    assert {r[13] for r in rows[1:]} == {"13812345678"}
    town_rows = sheet(officer_a, {"channel": "hotline_12345"})
    assert len(town_rows) == 2 and town_rows[1][13] == "138****5678"


def test_export_is_capped(client_for, make_ticket, dispatcher, settings):
    settings.DISPATCH_EXPORT_MAX_ROWS = 2
    for _i in range(3):
        make_ticket()
    response = client_for(dispatcher).get(reverse("dispatch:ticket-export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and "仅导出前 2 条" in rows[-1][0]


# --- detail and actions ----------------------------------------------------------------------------


def test_other_township_gets_404_on_detail_and_actions(client_for, resolved, officer_b):
    ticket = resolved()
    client = client_for(officer_b)
    assert client.get(detail_url(ticket)).status_code == 404
    response = client.post(action_url(ticket, "verdict"), {"verdict-accepted": "1", "verdict-score": "5"})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED


def test_detail_shows_history_masking_and_the_users_actions(client_for, assigned, officer_a, squadron_officer,
                                                             dispatcher):
    ticket = assigned()
    page = client_for(officer_a).get(detail_url(ticket))
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert [a["name"] for a in page.context["action_forms"]] == ["urge", "attach"]
    assert [h["event"].action for h in page.context["history"]] == ["intake", "triage", "assign"]
    squad = client_for(squadron_officer).get(detail_url(ticket))
    assert "accept" in [a["name"] for a in squad.context["action_forms"]]
    assert "13812345678" in squad.content.decode()


def test_dispatcher_triages_and_assigns_through_the_forms(client_for, make_ticket, dispatcher, matter, county):
    ticket = make_ticket()
    client = client_for(dispatcher)
    page = client.get(detail_url(ticket))
    assert {"triage", "dismiss", "merge"} <= {a["name"] for a in page.context["action_forms"]}

    response = client.post(action_url(ticket, "triage"), {"triage-matter": matter.pk,
                                                          "triage-township": county.town_a.pk})
    assert response.status_code == 302
    page = client.get(detail_url(ticket))
    assert "甲镇派驻中队" in page.content.decode()
    assign = next(a for a in page.context["action_forms"] if a["name"] == "assign")
    assert assign["form"].initial["agency"] == county.squadron_a
    response = client.post(action_url(ticket, "assign"), {"assign-agency": county.squadron_a.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED and ticket.responsible_agency == county.squadron_a


def test_refusal_is_shown_on_the_form(client_for, assigned, squadron_a_uncertified):
    ticket = services.ticket_accept(assigned(), by=squadron_a_uncertified)
    response = client_for(squadron_a_uncertified).post(action_url(ticket, "resolve"),
                                                       {"resolve-resolution": "已处理"})
    assert response.status_code == 403  # as the API: wrong person, nothing changes
    html = response.content.decode()
    assert "没有有效的行政执法证件" in html
    resolve = next(a for a in response.context["action_forms"] if a["name"] == "resolve")
    assert resolve["open"] and resolve["form"].errors
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ACCEPTED


def test_field_errors_go_on_their_field(client_for, resolved, officer_a):
    ticket = resolved()
    response = client_for(officer_a).post(action_url(ticket, "verdict"), {"verdict-accepted": "0",
                                                                          "verdict-reason": ""})
    assert response.status_code == 400
    verdict = next(a for a in response.context["action_forms"] if a["name"] == "verdict")
    assert "reason" in verdict["form"].errors


def test_accept_resolve_with_photo_and_verdict_through_the_pages(client_for, client, assigned, squadron_officer,
                                                                 officer_a):
    ticket = assigned()
    client.force_login(squadron_officer)
    assert client.post(action_url(ticket, "accept"), {}).status_code == 302
    response = client.post(action_url(ticket, "resolve"), {"resolve-resolution": "已清理", "resolve-files": [png()]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    [photo] = ticket.attachments.all()
    image = client.get(reverse("dispatch:attachment", args=[ticket.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"

    client.force_login(officer_a)
    response = client.post(action_url(ticket, "verdict"), {"verdict-accepted": "1", "verdict-score": "4"})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


def test_attachment_of_another_township_is_404(client_for, make_ticket, officer_b):
    ticket = make_ticket(attachments=[png()])
    [photo] = ticket.attachments.all()
    assert client_for(officer_b).get(reverse("dispatch:attachment", args=[ticket.pk, photo.pk])).status_code == 404


def test_detail_page_runs_constant_queries(client, make_ticket, dispatcher, matter):
    ticket = services.ticket_triage(make_ticket(attachments=[png()]), by=dispatcher, matter=matter)
    ticket = services.ticket_assign(ticket, by=dispatcher)
    client.force_login(dispatcher)
    url = detail_url(ticket)
    few = _count(client, url)
    for _i in range(4):
        services.ticket_urge(ticket, by=dispatcher, note="催办")
        services.attachment_add(ticket, png(), by=dispatcher)
    assert _count(client, url) == few


# --- intake pages -----------------------------------------------------------------------------------


def test_staff_intake_page_creates_a_ticket(client_for, dispatcher, category, county):
    client = client_for(dispatcher)
    assert client.get(reverse("dispatch:ticket-create")).status_code == 200
    response = client.post(reverse("dispatch:ticket-create"), {
        "channel": "staff", "category": category.pk, "priority": "normal", "description": "小区内违规搭建",
        "township": county.town_a.pk, "reporter_name": "王五", "reporter_phone": "13700001111",
        "attachments": [png()],
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert response.url == detail_url(ticket)
    assert ticket.attachments.count() == 1 and ticket.created_by == dispatcher


def test_staff_intake_page_shows_upload_refusal_on_the_field(client_for, dispatcher, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(dispatcher).post(reverse("dispatch:ticket-create"), {
        "channel": "staff", "priority": "normal", "description": "x",
        "attachments": [SimpleUploadedFile("virus.exe", b"MZ")],
    })
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_staff_intake_page_is_for_the_command_centre(client_for, officer_a):
    assert client_for(officer_a).get(reverse("dispatch:ticket-create")).status_code == 403


def test_township_call_page(client_for, officer_a, squadron_officer, category, county):
    response = client_for(officer_a).post(reverse("dispatch:township-call"), {
        "category": category.pk, "priority": "urgent", "description": "夜市油烟扰民，需县级部门联合整治",
        "place": "甲镇夜市",
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.submitted_by_agency, ticket.priority) == ("township_call", county.town_a,
                                                                             "urgent")
    assert client_for(squadron_officer).get(reverse("dispatch:township-call")).status_code == 403


def test_field_page_reports_with_photo_and_lists_work(client_for, squadron_officer, assigned, category, county):
    ticket = assigned()
    client = client_for(squadron_officer)
    page = client.get(reverse("dispatch:field"))
    assert page.status_code == 200 and ticket.number in page.content.decode()
    assert 'capture="environment"' in page.content.decode()
    response = client.post(reverse("dispatch:field"), {
        "category": category.pk, "description": "巡查发现店外经营", "place": "人民路 8 号",
        "lat": "30.1", "lng": "120.2", "attachments": [png()],
    })
    assert response.status_code == 302
    report = Ticket.objects.get(channel="patrol")
    assert (report.township, report.lat, report.attachments.count()) == (county.town_a, 30.1, 1)


def test_field_page_is_for_field_officers(client_for, dispatcher, judicial_reviewer):
    assert client_for(judicial_reviewer).get(reverse("dispatch:field")).status_code == 403


# --- inboxes ----------------------------------------------------------------------------------------


def test_agency_inbox_lists_tickets_to_accept_and_in_hand(client_for, assigned, squadron_officer):
    waiting = assigned()
    working = services.ticket_accept(assigned(), by=squadron_officer)
    page = client_for(squadron_officer).get(reverse("dispatch:agency-inbox"))
    sections = {s["key"]: [t.pk for t in s["tickets"]] for s in page.context["sections"]}
    assert sections["to_accept"] == [waiting.pk]
    assert sections["in_hand"] == [working.pk]


def test_township_inbox_lists_tickets_to_judge(client_for, resolved, officer_a, officer_b):
    ticket = resolved()
    page = client_for(officer_a).get(reverse("dispatch:township-inbox"))
    sections = {s["key"]: [t.pk for t in s["tickets"]] for s in page.context["sections"]}
    assert sections["to_judge"] == [ticket.pk]
    other = client_for(officer_b).get(reverse("dispatch:township-inbox"))
    assert all(not s["tickets"] for s in other.context["sections"])


def test_township_inbox_refused_to_non_township_users(client_for, squadron_officer):
    assert client_for(squadron_officer).get(reverse("dispatch:township-inbox")).status_code == 403


# --- statistics --------------------------------------------------------------------------------------


def test_statistics_per_agency_and_township(client_for, resolved, assigned, officer_a, squadron_officer,
                                            dispatcher, county):
    closed = services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=4)
    services.ticket_follow_up(closed, by=dispatcher, satisfaction="satisfied")
    services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=2)
    returned = services.ticket_return(assigned(), by=squadron_officer, reason="非本辖区")
    assert returned.status == TicketStatus.TRIAGED
    assigned()

    page = client_for(dispatcher).get(reverse("dispatch:stats"))
    assert page.status_code == 200
    [squad] = [r for r in page.context["agency_rows"] if r.agency == county.squadron_a]
    assert (squad.received, squad.resolved, squad.returns) == (3, 2, 1)
    assert squad.accepted_on_time == 2 and squad.resolved_on_time == 2
    assert squad.avg_score == pytest.approx(3.0)
    assert squad.satisfaction_rate == 1.0
    [town] = [r for r in page.context["township_rows"] if r.agency == county.town_a]
    assert town.received == 4 and town.resolution_rate == 0.5 and town.returns == 1
    assert page.context["total"].received == 4 and page.context["total"].returns == 1
    township_table = page.content.decode().split('data-testid="stats-township"')[1]
    assert "<th class=\"text-end\" scope=\"col\">退单</th>" in township_table

    export = client_for(dispatcher).get(reverse("dispatch:stats"), {"format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["承办单位", "乡镇（街道）"]
    header = [c.value for c in wb["乡镇（街道）"][2]]
    town_line = [c.value for c in wb["乡镇（街道）"][3]]
    assert header[6] == "退单" and town_line[0] == "甲镇" and town_line[6] == 1


def test_statistics_roll_up_agencies_townships_and_the_total_from_one_query(
        client_for, make_ticket, assigned, resolved, officer_a, officer_b, squadron_b_officer, dispatcher, county):
    services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=4)
    services.ticket_verdict(resolved(), by=officer_a, accepted=True, score=1)
    in_b = services.ticket_accept(assigned(township=county.town_b), by=squadron_b_officer)
    in_b = services.ticket_resolve(in_b, by=squadron_b_officer, resolution="已处理。")
    services.ticket_verdict(in_b, by=officer_b, accepted=True, score=5)
    make_ticket(township=None)  # in no township and with no agency yet: counted in the total only

    with CaptureQueriesContext(connection) as ctx:
        page = client_for(dispatcher).get(reverse("dispatch:stats"))
    ticket_aggregates = [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "dispatch_ticket"')
                         and "GROUP BY" in q["sql"]]
    assert len(ticket_aggregates) == 1
    agencies = {r.agency.code: (r.received, r.closed, r.avg_score) for r in page.context["agency_rows"]}
    assert agencies == {"SQA": (2, 2, pytest.approx(2.5)), "SQB": (1, 1, pytest.approx(5.0))}
    townships = {r.agency.name: (r.received, r.avg_score) for r in page.context["township_rows"]}
    assert townships == {"甲镇": (2, pytest.approx(2.5)), "乙街道": (1, pytest.approx(5.0))}
    total = page.context["total"]
    assert (total.received, total.closed, total.resolved) == (4, 3, 3)
    assert total.avg_score == pytest.approx(10 / 3)


def test_statistics_use_the_readers_scope(client_for, resolved, officer_b):
    resolved()
    page = client_for(officer_b).get(reverse("dispatch:stats"))
    assert page.context["agency_rows"] == [] and page.context["total"].received == 0


def test_statistics_queries_do_not_grow_with_tickets(client, resolved, dispatcher):
    client.force_login(dispatcher)
    url = reverse("dispatch:stats")
    resolved()
    few = _count(client, url)
    for _i in range(5):
        resolved()
    assert _count(client, url) == few


def test_menu_shows_dispatch_entries_by_role(client_for, dispatcher, officer_a):
    home = client_for(dispatcher).get("/")
    assert reverse("dispatch:board") in home.content.decode()
    town = client_for(fresh(officer_a)).get("/")
    assert reverse("dispatch:township-inbox") in town.content.decode()


def test_admin_pages_of_the_ticket_desk_load(client_for, administrator, assigned):
    ticket = assigned()
    client = client_for(administrator)
    for name in ("ticket", "slarule", "ticketcategory", "dispatchpolicy", "ticketextension"):
        assert client.get(reverse(f"admin:dispatch_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:dispatch_ticket_change", args=[ticket.pk])).status_code == 200
    assert client.get(reverse("admin:dispatch_ticket_add")).status_code == 403


def test_lookup_code_is_shown_to_the_desk_and_the_filer_only(client_for, api_for, dispatcher, officer_a, officer_b,
                                                             squadron_officer, category, county, matter):
    """Whoever took the report down tells the caller the code; the handling agency does not need it."""
    client_for(officer_a).post(reverse("dispatch:township-call"), {
        "category": category.pk, "priority": "normal", "description": "夜市油烟扰民", "place": "甲镇夜市",
    })
    ticket = Ticket.objects.get()
    services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a)
    services.ticket_assign(Ticket.objects.get(), by=dispatcher)
    url = reverse("dispatch:ticket-detail", args=[ticket.pk])
    marker = f'data-testid="lookup-code">{ticket.lookup_code}<'

    assert marker in client_for(dispatcher).get(url).content.decode()
    assert marker in client_for(officer_a).get(url).content.decode()
    page = client_for(squadron_officer).get(url)
    assert page.status_code == 200 and ticket.lookup_code not in page.content.decode()

    api_url = f"/api/tickets/{ticket.pk}/"
    assert api_for(dispatcher).get(api_url).json()["lookup_code"] == ticket.lookup_code
    assert api_for(officer_a).get(api_url).json()["lookup_code"] == ticket.lookup_code
    assert api_for(squadron_officer).get(api_url).json()["lookup_code"] is None
    assert api_for(officer_b).get(api_url).status_code == 404


@pytest.fixture
def squadron_officer_2(county):
    from enforcement.models import Role
    from tests.conftest import member

    return member(Role.SQUADRON_OFFICER, county.squadron_a, "squadron_a_officer_2", certified=True)


def test_acting_on_a_page_loaded_before_a_colleague_acted_shows_the_conflict(client_for, assigned, squadron_officer,
                                                                             squadron_officer_2):
    """Two officers of the squadron open the ticket; one accepts; the other's accept is refused as a conflict."""
    ticket = assigned()
    url = reverse("dispatch:ticket-detail", args=[ticket.pk])
    page = client_for(squadron_officer_2).get(url).content.decode()
    assert '<input type="hidden" name="seen_status" value="assigned">' in page
    services.ticket_accept(Ticket.objects.get(pk=ticket.pk), by=squadron_officer)

    response = client_for(squadron_officer_2).post(
        reverse("dispatch:ticket-action", args=[ticket.pk, "accept"]), {"seen_status": "assigned", "note": ""}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "已被他人处理" in text and "已签收" in text
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    from enforcement.models import Event
    assert Event.objects.filter(object_id=ticket.pk, action="accept", content_type__model="ticket").count() == 1


@pytest.mark.parametrize("who, url_name", [
    ("squadron_officer", "dispatch:agency-inbox"),
    ("officer_a", "dispatch:township-inbox"),
    ("squadron_officer", "dispatch:field"),
])
def test_inboxes_and_the_field_page_run_constant_queries(request, client, assigned, resolved, make_ticket,
                                                         who, url_name, django_assert_max_num_queries):
    """The work lists of a unit, a township and a field officer cost the same with 2 or 12 tickets in them."""
    client.force_login(request.getfixturevalue(who))
    url = reverse(url_name)
    assigned(), resolved()
    few = _count(client, url)
    for _i in range(5):
        assigned()
        resolved()
    page = client.get(url)
    assert page.status_code == 200
    shown = sum(len(s["tickets"]) for s in page.context.get("sections", [])) or len(page.context.get("in_hand", []))
    assert shown >= 6  # the longer lists are on the page
    with django_assert_max_num_queries(few):
        client.get(url)


def test_on_a_phone_the_actions_are_one_tap_away(client_for, assigned, squadron_officer, judicial_reviewer):
    """The detail page is long on a phone: a button at the top jumps to the actions (hidden on wide screens)."""
    ticket = assigned()
    html = client_for(squadron_officer).get(detail_url(ticket)).content.decode()
    assert 'data-testid="jump-to-actions"' in html and 'href="#actions"' in html and 'id="actions"' in html
    assert "d-lg-none" in html.split('data-testid="jump-to-actions"')[0].rsplit("<a", 1)[1]

    # A reader who may act on nothing gets no button.
    page = client_for(judicial_reviewer).get(detail_url(ticket))
    assert page.status_code == 200 and page.context["action_forms"] == []
    assert 'data-testid="jump-to-actions"' not in page.content.decode()
