"""Triage suggests matters from the ticket's category and from the words of the report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dispatch import services
from dispatch.suggest import pairs, suggest_matters
from enforcement.models import Domain, Matter, PowerType

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(matter, county):
    """Beside 擅自占用城市道路经营 (the conftest's matter): a few matters a county really lists."""
    domain, _ = Domain.objects.get_or_create(code="CSGL", defaults={"name": "城市管理"})

    def make(code, name):
        return Matter.objects.create(code=code, name=name, power_type=PowerType.PENALTY, domain=domain,
                                     origin_department=county.department)

    return {
        "road": matter,
        "noise": make("HJBH-0101", "建筑施工单位夜间施工产生噪声污染扰民"),
        "burning": make("HJBH-0202", "露天焚烧沥青、油毡、橡胶、塑料、皮革、垃圾"),
        "ads": make("CSGL-0301", "擅自设置大型户外广告"),
        "rules": make("CSGL-0999", "违反规定的其他行为"),
    }


def test_pairs_cut_chinese_into_character_pairs_without_the_stop_pairs():
    assert pairs("夜间施工噪声") == {"夜间", "间施", "施工", "工噪", "噪声"}
    assert pairs("违反规定") == set()
    assert pairs("LED 屏 a") == {"led"}


def test_the_words_of_the_report_rank_the_matter_it_concerns_first(make_ticket, catalogue):
    ticket = make_ticket(description="工地晚上十一点还在施工，噪声很大，影响休息。", category=None)
    [first, *_rest] = suggest_matters(ticket)
    assert first.matter_id == catalogue["noise"].pk
    assert "噪声" in first.words and "施工" in first.words
    assert "描述提到" in first.reason and not first.from_category


def test_common_words_alone_suggest_nothing(make_ticket, catalogue):
    ticket = make_ticket(description="有人违反规定，请处理。", category=None)
    assert suggest_matters(ticket) == []


def test_the_categorys_suggested_matters_come_first_and_say_so(make_ticket, category, catalogue):
    category.suggested_matters.set([catalogue["road"]])
    ticket = make_ticket(description="门口有人摆摊卖水果。", category=category)
    [first, *_rest] = suggest_matters(ticket)
    assert first.matter_id == catalogue["road"].pk and first.from_category
    assert "问题类别的常见事项" in first.reason


def test_a_matter_added_to_the_catalogue_is_suggested_at_once(make_ticket, catalogue, county):
    ticket = make_ticket(description="小区里有人养鸽子，每天几十只。", category=None)
    assert suggest_matters(ticket) == []
    pigeon = Matter.objects.create(code="CSGL-0401", name="在城市市区饲养家禽家畜鸽子影响市容",
                                   domain=catalogue["road"].domain, power_type=PowerType.PENALTY,
                                   origin_department=county.department)
    assert [s.matter_id for s in suggest_matters(ticket)] == [pigeon.pk]


def test_the_triage_form_preselects_the_best_suggestion_and_lists_them(
    client_for, make_ticket, catalogue, dispatcher
):
    ticket = make_ticket(description="有人在小区门口露天焚烧垃圾，浓烟很大。", category=None)
    page = client_for(dispatcher).get(reverse("dispatch:ticket-detail", args=[ticket.pk]))
    form = next(a["form"] for a in page.context["action_forms"] if a["name"] == "triage")
    assert form.initial["matter"] == catalogue["burning"].pk
    html = page.content.decode()
    assert 'data-testid="matter-suggestions"' in html
    assert f'data-value="{catalogue["burning"].pk}"' in html and "描述提到：" in html


def test_suggestions_through_the_api_in_the_readers_scope(api_for, make_ticket, catalogue, dispatcher, officer_b):
    ticket = make_ticket(description="晚上工地施工噪声扰民。", category=None)
    url = f"/api/tickets/{ticket.pk}/matter_suggestions/"
    r = api_for(dispatcher).get(url)
    assert r.status_code == 200
    assert r.json()[0]["code"] == "HJBH-0101" and "噪声" in r.json()[0]["words"]
    assert api_for(officer_b).get(url).status_code == 404  # township B cannot see township A's ticket


def test_triage_still_takes_whatever_matter_the_dispatcher_chooses(make_ticket, catalogue, dispatcher):
    ticket = make_ticket(description="晚上工地施工噪声扰民。", category=None)
    triaged = services.ticket_triage(ticket, by=dispatcher, matter=catalogue["road"], township=ticket.township)
    assert triaged.matter == catalogue["road"]
