"""The county's warning list: kept in admin with who changed it and why; its rules in the one table of legal rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enforcement.cases.legal_rules import legal_rules
from enforcement.warnings.models import WarningMatter
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)
from tests.enforcement.warnings.support import issue, warning_list_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_administrator_changes_the_period_with_a_reason_kept_in_the_history(wl, administrator, client_for):
    client = client_for(administrator)
    url = reverse("admin:enforcement_warningmatter_change", args=[wl.entry.pk])
    form = {
        "matter": wl.m_litter.pk,
        "is_active": "on",
        "conditions": "初次违法\n危害后果轻微\n能够及时改正",
        "correction_workdays": 5,
        "repeat_days": 365,
        "reason": "",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "请填写调整理由" in refused.content.decode()
    assert WarningMatter.objects.get(pk=wl.entry.pk).correction_workdays == 10
    assert client.post(url, {**form, "reason": "县政办〔2026〕12号"}).status_code == 302
    entry = WarningMatter.objects.get(pk=wl.entry.pk)
    latest = entry.history.latest()
    assert entry.correction_workdays == 5
    assert latest.history_user_id == administrator.pk and latest.history_change_reason == "县政办〔2026〕12号"
    # The new period applies to warnings issued from now on: 5 working days from Thu 2026-09-24 are
    # 28 Sep (1), 29 (2), 30 (3), 8 Oct (4), 9 Oct (5) after the Mid-autumn and National Day holidays.
    assert issue(wl).correction_due_at.date() == dt.date(2026, 10, 9)


def test_warning_rules_are_in_the_one_table_of_legal_rules(wl, client_for):
    table = {r.key: r for r in legal_rules()}
    assert "第二十八条" in str(table["warning_correction"].article)
    assert table["warning_correction"].changed_by == "warning_list"
    assert "第三十三条" in str(table["warning_repeat"].article)
    page = client_for(wl.officers[0]).get(reverse("cases:legal-rules")).content.decode()
    assert "预警执法：责令改正期限" in page


def test_the_warning_list_page_shows_the_conditions_and_periods(wl, client_for):
    page = client_for(wl.officers[0]).get(reverse("warnings:matters")).content.decode()
    assert "CG-FK-0101" in page and "危害后果轻微" in page
