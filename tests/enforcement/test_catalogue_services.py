"""Catalogue services: changes keep history; matters in use are repealed, never deleted."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.models import AnonymousUser

from enforcement.catalogue.admin import MatterAdmin
from enforcement.catalogue.permissions import can_manage_catalogue
from enforcement.catalogue.powers import grant_power
from enforcement.catalogue.selectors import matter_detail, matter_history, matter_search
from enforcement.catalogue.services import (
    TierSpec,
    matter_create,
    matter_delete,
    matter_repeal,
    matter_set_status,
    matter_update,
)
from enforcement.errors import DomainError, InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models import DiscretionTier, GrantMode, Matter, MatterStatus, PowerType
from tests.enforcement import catalogue_fixtures as fixtures
from tests.enforcement.catalogue_fixtures import csv_bytes, sample_rows

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]
D = dt.date


def test_create_records_who_and_why(refs, administrator):
    m = matter_create(code="N-1", name=" 新事项 ", power_type=PowerType.INSPECTION, domain=refs.urban,
                      origin_department=refs.housing, by=administrator, reason="年度目录调整",
                      tiers=[TierSpec("一般", "情节", ("warning",))])
    record = m.history.get()
    assert m.name == "新事项"
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", administrator,
                                                                                        "年度目录调整")
    assert DiscretionTier.history.filter(matter_id=m.pk).count() == 1


def test_create_refuses_duplicate_code_and_bad_tiers(matter, refs):
    with pytest.raises(ValidationFailed) as exc:
        matter_create(code=matter.code, name="x", power_type=PowerType.PENALTY, domain=refs.urban,
                      origin_department=refs.housing, by=None)
    assert "code" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        matter_create(code="N-2", name="x", power_type=PowerType.PENALTY, domain=refs.urban,
                      origin_department=refs.housing, by=None,
                      tiers=[TierSpec("一般", "", ("fine",), Decimal(500), Decimal(50))])
    assert "tiers.1" in exc.value.fields and "大于上限" in str(exc.value)
    assert not Matter.objects.filter(code="N-2").exists()


def test_non_administrators_cannot_change_the_catalogue(matter, officer_a, department_staff, administrator):
    assert not can_manage_catalogue(officer_a) and not can_manage_catalogue(department_staff)
    assert can_manage_catalogue(administrator) and not can_manage_catalogue(AnonymousUser())
    with pytest.raises(PermissionRefused):
        matter_update(matter, by=officer_a, name="改")
    with pytest.raises(PermissionRefused):
        matter_repeal(matter, on=D(2026, 1, 1), by=department_staff)
    matter.refresh_from_db()
    assert matter.name == "占道经营"


def test_update_writes_history_only_for_real_changes(matter, administrator):
    matter_update(matter, by=administrator, name="占道经营", remarks="")
    assert matter.history.count() == 1

    matter_update(matter, by=administrator, name="占道经营（修订）", safety_critical=True)

    latest = matter.history.latest()
    assert latest.history_user == administrator
    assert latest.history_change_reason == "修改：事项名称、安全关键"
    assert matter.history.count() == 2


def test_tier_replacement_keeps_tier_history(matter, administrator):
    same = [TierSpec.from_tier(t) for t in matter.tiers.order_by("order")]
    matter_update(matter, by=administrator, tiers=same)
    assert matter.history.count() == 1

    matter_update(matter, by=administrator, tiers=[same[0], TierSpec("一般", "限期未改", ("fine",), Decimal(100),
                                                                       Decimal(300))])

    assert [t.fine_min for t in matter.tiers.order_by("order")] == [None, Decimal(100)]
    assert DiscretionTier.history.filter(matter_id=matter.pk, history_type="~").count() == 1
    assert DiscretionTier.history.filter(matter_id=matter.pk, history_type="-").count() == 1
    assert "裁量基准" in matter.history.latest().history_change_reason


def test_status_is_changed_only_through_its_service(matter):
    with pytest.raises(ValidationFailed):
        matter_update(matter, by=None, status=MatterStatus.REPEALED)
    matter_set_status(matter, status=MatterStatus.SUSPENDED, on=D(2026, 1, 1), by=None)
    matter_set_status(matter, status=MatterStatus.IN_FORCE, on=D(2026, 2, 1), by=None)
    matter.refresh_from_db()
    assert (matter.status, matter.status_changed_on) == (MatterStatus.IN_FORCE, D(2026, 2, 1))


def test_repeal_is_final_and_sets_the_last_valid_day(matter, administrator):
    repealed = matter_repeal(matter, on=D(2026, 7, 1), by=administrator, reason="法律废止")
    assert (repealed.status, repealed.status_changed_on, repealed.valid_to) == (
        MatterStatus.REPEALED, D(2026, 7, 1), D(2026, 6, 30))
    assert repealed.history.latest().history_change_reason == "法律废止"
    with pytest.raises(InvalidTransition, match="不能改为"):
        matter_set_status(repealed, status=MatterStatus.IN_FORCE, on=D(2026, 8, 1), by=administrator)


def test_a_matter_in_use_cannot_be_deleted_only_repealed(matter, refs, administrator):
    grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
    with pytest.raises(DomainError, match="只能废止") as exc:
        matter_delete(matter, by=administrator)
    assert exc.value.code == "matter_in_use"
    assert Matter.objects.filter(pk=matter.pk).exists()
    admin = MatterAdmin(Matter, AdminSite())
    request = type("R", (), {"user": administrator})()
    assert admin.has_delete_permission(request, matter) is False
    assert "delete_selected" not in admin.get_actions(type("R", (), {"user": administrator, "GET": {}})())


def test_an_unused_matter_can_be_deleted(matter, administrator):
    matter_delete(matter, by=administrator)
    assert not Matter.objects.filter(code="CSGL-0100").exists()
    assert Matter.history.filter(code="CSGL-0100", history_type="-").exists()


def test_matter_history_lists_field_and_tier_changes(matter, administrator, django_assert_max_num_queries):
    matter_update(matter, by=administrator, name="新名称")
    matter_update(matter, by=administrator, tiers=[TierSpec("轻微", "首次", ("warning",))])
    with django_assert_max_num_queries(4):
        entries = matter_history(matter)
    name_change = next(e for e in entries if e.subject == "事项" and e.changes)
    assert name_change.user == administrator
    assert [(c.field, c.old, c.new) for c in name_change.changes] == [("事项名称", "占道经营", "新名称")]
    removed = [e for e in entries if e.action == "删除"]
    assert {e.subject for e in removed} == {"裁量基准 第 2 条（一般）", "裁量基准 第 3 条（严重）"}
    assert entries[0].at >= entries[-1].at


def test_visible_to_and_detail_selector(matter, officer_a, refs, django_assert_max_num_queries):
    assert Matter.objects.visible_to(AnonymousUser()).count() == 0
    assert Matter.objects.visible_to(officer_a).count() == 1
    grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
    with django_assert_max_num_queries(3):
        detail = matter_detail(matter.code, user=officer_a)
        assert [t.level for t in detail.tiers.all()] == ["轻微", "一般", "严重"]
        assert [g.holder.name for g in detail.current_grants] == [refs.county.bureau.name]
        assert detail.domain.name == "城市管理"


def test_matter_search_filters_and_words(matter, refs):
    matter_create(code="ZR-1", name="非法占用土地", power_type=PowerType.PENALTY, domain=refs.land,
                  origin_department=refs.land_dept, by=None, violated_provision="《土地管理法》第七十七条",
                  safety_critical=True)
    assert [m.code for m in matter_search(q="土地管理法")] == ["ZR-1"]
    assert [m.code for m in matter_search(q="占道")] == ["CSGL-0100"]
    assert [m.code for m in matter_search(q="csgl 经营")] == ["CSGL-0100"]
    assert [m.code for m in matter_search(filters={"safety_critical": "true"})] == ["ZR-1"]
    assert [m.code for m in matter_search(filters={"domain": "CSGL"})] == ["CSGL-0100"]
    with pytest.raises(ValidationFailed) as exc:
        matter_search(filters={"status": "gone", "safety_critical": "maybe"})
    assert set(exc.value.fields) == {"status", "safety_critical"}


def test_seed_step_imports_the_demo_catalogue_idempotently(refs, tmp_path, monkeypatch):
    from enforcement.demo import catalogue_seed

    path = tmp_path / "catalogue.csv"
    path.write_bytes(csv_bytes(sample_rows(3)))
    monkeypatch.setattr(catalogue_seed, "CATALOGUE_FILE", path)
    out = io.StringIO()
    catalogue_seed.seed_catalogue(out, "pw")
    catalogue_seed.seed_catalogue(out, "pw")
    assert "新增 3 条" in out.getvalue() and "未变 3 条" in out.getvalue()
    assert Matter.objects.count() == 3


def test_seed_step_skips_quietly_without_a_file(db, tmp_path, monkeypatch):
    from enforcement.demo import catalogue_seed

    monkeypatch.setattr(catalogue_seed, "CATALOGUE_FILE", tmp_path / "none.csv")
    out = io.StringIO()
    catalogue_seed.seed_catalogue(out, "pw")
    assert "跳过" in out.getvalue()


def test_admin_pages_render_with_history(matter, refs, administrator, client):
    grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
    matter_update(matter, by=administrator, name="占道经营（修订）")
    client.force_login(administrator)
    for url in (
        "/admin/enforcement/matter/",
        f"/admin/enforcement/matter/{matter.pk}/change/",
        f"/admin/enforcement/matter/{matter.pk}/history/",
        "/admin/enforcement/powergrant/",
        "/admin/enforcement/domain/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    history = client.get(f"/admin/enforcement/matter/{matter.pk}/history/").content.decode()
    assert "bureau_admin" in history
    assert client.get(f"/admin/enforcement/matter/{matter.pk}/delete/").status_code == 403
