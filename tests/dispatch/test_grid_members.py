"""Grid members (网格员) without a post: a useful home, the report page for their own grids, "my reports"."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from dispatch import services
from dispatch.models import Channel, Ticket
from enforcement.errors import PermissionRefused
from enforcement.models import Grid, Membership
from tests.dispatch.conftest import png
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_member(grids):
    """A grid member of 甲镇一网格 who holds no post in any agency."""
    user = UserFactory(username="grid_a1", first_name="网格员甲")
    grids.a1.member = user
    grids.a1.save(update_fields=["member"])
    return user


@pytest.fixture
def other_member(grids):
    user = UserFactory(username="grid_b1", first_name="网格员乙")
    grids.b1.member = user
    grids.b1.save(update_fields=["member"])
    return user


def report(client, grid, **over):
    data = {"grid": grid.pk, "description": "路口井盖缺失，有安全隐患。", "place": "甲镇人民路口",
            "lat": "30.1", "lng": "120.2", "attachments": [png()]}
    data.update(over)
    return client.post(reverse("dispatch:grid-report"), data)


def nav_keys(response) -> list[str]:
    return [item["key"] for item in response.context["nav_items"]]


def test_grid_member_home_shows_their_grids_and_the_report_entry(client_for, grid_member, grids):
    client = client_for(grid_member)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "enforcement/home/grid_member.html" in [t.name for t in home.templates]
    html = home.content.decode()
    assert "甲镇一网格" in html and "乙街道一网格" not in html
    assert "您的账号尚未分配角色" not in html
    assert "grid-report" in nav_keys(home)
    assert f'href="{reverse("dispatch:grid-report")}"' in html


def test_officers_and_people_without_a_grid_get_no_report_entry(client_for, officer_a, db):
    assert "grid-report" not in nav_keys(client_for(officer_a).get(reverse("home")))
    nobody = UserFactory(username="nobody")
    page = client_for(nobody).get(reverse("home"))
    assert "enforcement/home/no_role.html" in [t.name for t in page.templates]
    assert "grid-report" not in nav_keys(page)


def test_report_page_offers_only_the_members_own_grids(client_for, grid_member, grids):
    page = client_for(grid_member).get(reverse("dispatch:grid-report"))
    assert page.status_code == 200
    choices = [str(pk) for pk, _label in page.context["form"].fields["grid"].choices if pk != ""]
    assert choices == [str(grids.a1.pk)]
    assert 'capture="environment"' in page.content.decode()


def test_grid_member_files_a_report_with_a_photo_and_sees_it_in_my_reports(client_for, grid_member, grids, county):
    client = client_for(grid_member)
    response = report(client, grids.a1)
    assert response.status_code == 302 and response.url == reverse("dispatch:grid-report")
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.grid, ticket.township, ticket.created_by) == (
        Channel.GRID, grids.a1, county.town_a, grid_member)
    assert ticket.attachments.count() == 1
    page = client.get(reverse("dispatch:grid-report"))
    html = page.content.decode()
    assert ticket.number in html and "已受理，正在分派" in html
    assert reverse("dispatch:my-report", args=[ticket.pk]) in html
    detail = client.get(reverse("dispatch:my-report", args=[ticket.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert ticket.number in text and "路口井盖缺失" in text and "受理" in text


def test_my_report_shows_the_progress_the_reporter_may_read(client_for, grid_member, grids, dispatcher, matter,
                                                            county):
    client = client_for(grid_member)
    report(client, grids.a1)
    ticket = Ticket.objects.get()
    ticket = services.ticket_triage(ticket, by=dispatcher, matter=matter, township=county.town_a,
                                    note="内部分流说明")
    services.ticket_assign(ticket, by=dispatcher)
    html = client.get(reverse("dispatch:my-report", args=[ticket.pk])).content.decode()
    assert "已交办承办单位" in html and county.squadron_a.name in html
    assert "内部分流说明" not in html  # internal notes stay internal


def test_grid_member_cannot_file_for_someone_elses_grid(client_for, grid_member, other_member, grids):
    client = client_for(grid_member)
    for grid in (grids.b1, grids.a2):  # another member's grid, a grid with no member
        response = report(client, grid)
        assert response.status_code == 400
        assert "grid" in response.context["form"].errors
    assert not Ticket.objects.exists()
    # The service refuses too, whatever the form offers.
    with pytest.raises(PermissionRefused):
        services.ticket_file_patrol_report(by=grid_member, grid=grids.b1, description="越界上报")
    assert not Ticket.objects.exists()


def test_grid_member_sees_only_their_own_reports(client_for, grid_member, other_member, grids, make_ticket):
    theirs = services.ticket_file_patrol_report(by=other_member, grid=grids.b1, description="乙网格的问题")
    desk = make_ticket()
    client = client_for(grid_member)
    html = client.get(reverse("dispatch:grid-report")).content.decode()
    assert theirs.number not in html and desk.number not in html
    for ticket in (theirs, desk):
        assert client.get(reverse("dispatch:my-report", args=[ticket.pk])).status_code == 404
        # Nor the internal page: a grid member without a post sees no ticket there.
        assert client.get(reverse("dispatch:ticket-detail", args=[ticket.pk])).status_code == 404


def test_report_page_is_for_grid_members_only(client_for, officer_a, judicial_reviewer):
    assert client_for(officer_a).get(reverse("dispatch:grid-report")).status_code == 403
    assert client_for(judicial_reviewer).post(reverse("dispatch:grid-report"), {}).status_code == 403


def test_field_page_sends_grid_members_to_their_own_page(client_for, grid_member, judicial_reviewer):
    response = client_for(grid_member).get(reverse("dispatch:field"))
    assert response.status_code == 302 and response.url == reverse("dispatch:grid-report")
    assert client_for(judicial_reviewer).get(reverse("dispatch:field")).status_code == 403


def test_my_reports_list_runs_a_constant_number_of_queries(client_for, grid_member, grids, category,
                                                           django_assert_max_num_queries):
    client = client_for(grid_member)
    url = reverse("dispatch:grid-report")

    def file(n: int) -> None:
        for i in range(n):
            services.ticket_file_patrol_report(by=grid_member, grid=grids.a1, category=category,
                                               description=f"第{i}个问题")

    file(2)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    file(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_demo_names_a_grid_member_login_that_lands_on_a_useful_home(client):
    from enforcement.demo import county
    from enforcement.demo.seed_county import seed_county
    from enforcement.management.commands.seed_demo import Command

    seed_county(io.StringIO(), "demo-Pass-1")
    # seed_demo prints its logins table after every step: the grid member is a row of it.
    assert county.GRID_MEMBER_LOGIN in Command()._logins_table("demo-Pass-1")
    user = Grid.objects.get(member__username=county.GRID_MEMBER_LOGIN).member
    assert not Membership.objects.filter(user=user).exists()
    assert client.login(username=county.GRID_MEMBER_LOGIN, password="demo-Pass-1")
    home = client.get(reverse("home"))
    assert "grid-report" in nav_keys(home)
    assert client.get(reverse("dispatch:grid-report")).status_code == 200
