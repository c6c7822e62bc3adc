"""The public report form and the progress lookup under /public/report/ (no login)."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dispatch import services
from dispatch.forms_public import sign_started
from dispatch.models import Channel, Ticket, TicketCategory, TicketStatus
from dispatch.views_public import rate_reset, receipt_token, scrub
from tests.dispatch.conftest import PNG, png

NEW = "/public/report/"
TRACK = "/public/report/track/"


@pytest.fixture(autouse=True)
def _categories(db):
    """The default categories (a transactional test elsewhere may have flushed the migration's rows)."""
    for order, (code, name, description) in enumerate([
        ("ZDJY", "占道经营", "流动摊贩、店外经营等占用道路经营"),
        ("ZSRM", "噪声扰民", "施工、商业经营等噪声扰民"),
        ("QTWT", "其他问题", "其他需要执法部门处理的问题"),
    ], start=1):
        TicketCategory.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "is_active": True, "domain": None,
                                 "sort_order": order},
        )


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """The counters live in the cache, shared by every test from 127.0.0.1: start each test clean."""
    settings.PUBLIC_REPORT_MIN_FILL_SECONDS = 3
    for bucket in ("report", "track-failure"):
        rate_reset(bucket, "127.0.0.1")
    yield
    for bucket in ("report", "track-failure"):
        rate_reset(bucket, "127.0.0.1")


def form_data(**over) -> dict:
    data = {
        "category": TicketCategory.objects.get(code="ZSRM").pk,
        "description": "小区楼下烧烤店每晚营业到凌晨两点，噪声很大。我的电话 13812345678。",
        "place": "乙街道幸福路 8 号",
        "township": "",
        "reporter_name": "李四",
        "reporter_phone": "13912345678",
        "website": "",
        "started": sign_started(time.time() - 60),
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def html(response) -> str:
    return response.content.decode("utf-8")


def file_report(client, **over) -> Ticket:
    response = client.post(NEW, form_data(**over))
    assert response.status_code == 302, html(response)
    return Ticket.objects.latest("id")


# --- the form -----------------------------------------------------------------------------------------


def test_public_index_links_to_report_and_lookup(client, db):
    page = html(client.get(reverse("public-index")))
    assert reverse("public-report-new") in page
    assert reverse("public-report-track") in page


def test_form_needs_no_login_and_hides_the_spam_trap(client, db):
    response = client.get(reverse("public-report-new"))
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="public-report-form"' in page
    assert 'name="website"' in page and 'class="visually-hidden"' in page
    assert 'name="started"' in page


def test_report_is_filed_and_the_reporter_gets_number_and_lookup_code(client, county):
    response = client.post(NEW, form_data(township=county.town_b.pk, photos=[png("现场.png")]))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.PUBLIC_WEB
    assert ticket.category.code == "ZSRM" and ticket.township == county.town_b
    assert (ticket.reporter_name, ticket.reporter_phone) == ("李四", "13912345678")
    assert ticket.created_by is None
    [photo] = ticket.attachments.all()
    assert photo.is_image and photo.original_name == "现场.png"

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    page = html(receipt)
    assert ticket.number in page and ticket.lookup_code in page


def test_oversized_photo_is_refused_with_the_limit(client, db, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    response = client.post(NEW, form_data(photos=[png("big.png", size=4096)]))
    assert response.status_code == 400
    assert "超过上限" in html(response)
    assert Ticket.objects.count() == 0


def test_forbidden_file_types_are_refused(client, db):
    exe = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream")
    response = client.post(NEW, form_data(photos=[exe]))
    assert response.status_code == 400
    assert "不是允许的照片格式" in html(response)
    # A document is allowed for staff, but the public form takes photos only.
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    assert client.post(NEW, form_data(photos=[pdf])).status_code == 400
    assert Ticket.objects.count() == 0


def test_a_renamed_file_is_refused_by_its_content(client, db):
    fake = SimpleUploadedFile("photo.jpg", PNG, content_type="image/jpeg")
    response = client.post(NEW, form_data(photos=[fake]))
    assert response.status_code == 400
    assert "内容与其扩展名不符" in html(response)
    assert Ticket.objects.count() == 0


def test_missing_fields_are_shown_on_the_form(client, db):
    response = client.post(NEW, form_data(description="", place="", category=""))
    assert response.status_code == 400
    assert html(response).count("invalid-feedback") >= 3
    assert Ticket.objects.count() == 0


def test_bad_phone_is_refused_by_the_intake_rules(client, db):
    response = client.post(NEW, form_data(reporter_phone="call me"))
    assert response.status_code == 400
    assert "联系电话只能包含数字" in html(response)


def test_honeypot_pretends_success_and_creates_nothing(client, db):
    response = client.post(NEW, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert Ticket.objects.count() == 0


def test_missing_or_forged_start_time_is_treated_as_a_bot(client, db):
    assert client.post(NEW, form_data(started=None)).status_code == 302
    assert client.post(NEW, form_data(started="12345:forged")).status_code == 302
    assert Ticket.objects.count() == 0


def test_too_fast_submission_is_asked_to_send_again(client, db):
    response = client.post(NEW, form_data(started=sign_started()))
    assert response.status_code == 400
    assert "提交过快" in html(response)
    assert Ticket.objects.count() == 0


def test_rate_limit_per_address_with_a_clear_message(client, db, settings):
    settings.PUBLIC_REPORT_RATE = 2
    file_report(client)
    file_report(client)
    response = client.post(NEW, form_data())
    assert response.status_code == 429
    assert "一小时内已提交 2 次举报" in html(response)
    assert Ticket.objects.count() == 2
    assert client.get(NEW).status_code == 429
    # Another address is not affected.
    other = client.post(NEW, form_data(), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
    rate_reset("report", "10.9.9.9")


def test_rate_limit_counts_the_client_behind_trusted_proxies(client, db, settings):
    settings.PUBLIC_REPORT_RATE = 1
    settings.PUBLIC_REPORT_PROXY_COUNT = 1
    try:
        first = client.post(NEW, form_data(), HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
        assert first.status_code == 302
        # A forged left-most address does not reset the count: the proxy's entry is used.
        again = client.post(NEW, form_data(), HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5")
        assert again.status_code == 429
    finally:
        rate_reset("report", "203.0.113.5")


# --- the lookup -----------------------------------------------------------------------------------------


def test_lookup_by_number_and_code_shows_status_and_masked_report(client, county):
    ticket = file_report(client)
    response = client.post(TRACK, {"number": ticket.number.lower(), "code": ticket.lookup_code.lower()})
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert ticket.number in page
    assert "已受理，正在分派" in page
    assert "李*" in page and "139****5678" in page
    for private in ("李四", "13912345678", "13812345678"):
        assert private not in page
    assert "138****5678" in page  # the phone written into the description is masked too


def test_wrong_code_or_unknown_number_gives_the_same_answer(client, county):
    ticket = file_report(client)
    wrong = client.post(TRACK, {"number": ticket.number, "code": "ZZZZZZ"})
    missing = client.post(TRACK, {"number": "GD1999-000001", "code": ticket.lookup_code})
    assert wrong.status_code == missing.status_code == 400
    assert "受理编号或查询码不正确" in html(wrong) and "受理编号或查询码不正确" in html(missing)


def test_too_many_failed_lookups_are_refused(client, db, settings):
    settings.PUBLIC_REPORT_TRACK_FAILURES = 2
    for _ in range(2):
        client.post(TRACK, {"number": "GD1999-000001", "code": "AAAAAA"})
    response = client.post(TRACK, {"number": "GD1999-000001", "code": "AAAAAA"})
    assert response.status_code == 429
    assert "查询失败次数过多" in html(response)


def test_forged_tracking_link_is_404(client, db):
    assert client.get("/public/report/track/not-a-token/").status_code == 404
    assert client.get("/public/report/done/not-a-token/").status_code == 404


def test_lookup_shows_only_public_events_without_officers_or_internal_notes(
    client, county, dispatcher, matter, squadron_officer
):
    ticket = file_report(client, township=county.town_a.pk)
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a,
                                    note="内部分流说明")
    ticket = services.ticket_assign(ticket, by=dispatcher, note="内部：联系王队长 13700001111")
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    services.ticket_urge(ticket, by=dispatcher, note="内部催办")
    services.ticket_resolve(ticket, by=squadron_officer, resolution="已责令烧烤店23点前停止营业，店主电话13600002222。")

    page = html(client.get(f"/public/report/track/{receipt_token(ticket.number, ticket.lookup_code)}/"))
    assert "已办理，正在核实" in page
    assert "已责令烧烤店23点前停止营业" in page
    assert "136****2222" in page
    assert county.squadron_a.name in page  # the agency, never a person
    for internal in ("内部", "王队长", "13700001111", "13600002222", "催办", squadron_officer.username,
                     dispatcher.username, "分流"):
        assert internal not in page


def test_merged_reporter_follows_the_survivors_public_progress(client, county, dispatcher, make_ticket):
    ticket = file_report(client)
    survivor = make_ticket(description="同一烧烤店噪声扰民", reporter_name="王五", reporter_phone="13511112222")
    services.ticket_merge(ticket, into=survivor, by=dispatcher)
    services.ticket_dismiss(survivor, by=dispatcher, reason="经核实已停业。")

    page = html(client.get(f"/public/report/track/{receipt_token(ticket.number, ticket.lookup_code)}/"))
    assert survivor.number in page
    assert "不予受理" in page and "经核实已停业。" in page
    # The survivor's reporter stays private.
    assert "王五" not in page and "13511112222" not in page and "同一烧烤店噪声扰民" not in page


def test_closed_ticket_shows_done_but_not_the_townships_verdict(client, county, dispatcher, matter,
                                                               squadron_officer, officer_a):
    ticket = file_report(client, township=county.town_a.pk)
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a)
    ticket = services.ticket_assign(ticket, by=dispatcher)
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    ticket = services.ticket_resolve(ticket, by=squadron_officer, resolution="已处理完毕。")
    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=True, score=3, reason="内部评价：处置偏慢")
    assert ticket.status == TicketStatus.CLOSED
    page = html(client.get(f"/public/report/track/{receipt_token(ticket.number, ticket.lookup_code)}/"))
    assert "已办结" in page and "已处理完毕。" in page
    assert "内部评价" not in page


def test_lookup_page_runs_few_queries(client, county, dispatcher, django_assert_max_num_queries):
    ticket = file_report(client)
    url = f"/public/report/track/{receipt_token(ticket.number, ticket.lookup_code)}/"
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_scrub_masks_phones_and_id_numbers_but_not_ticket_numbers():
    text = scrub("身份证 330102199001011234，手机13812345678，座机0571-87654321，工单 GD2026-000123")
    assert "330102********1234" in text
    assert "138****5678" in text and "057****4321" in text
    assert "GD2026-000123" in text
