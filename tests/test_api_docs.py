"""The API documentation reads in Chinese by default and in English with the language switch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_schema_title_and_description_follow_the_language(api_for, dispatcher):
    api = api_for(dispatcher)
    chinese = api.get("/api/schema/?format=json").json()["info"]
    assert chinese["title"] == "综合行政执法局业务系统接口" and "待办事项" in chinese["description"]
    english = api.get("/api/schema/?format=json&lang=en").json()["info"]
    assert english["title"] == "County Comprehensive Enforcement Bureau API"
    assert "to-do" in english["description"] and "工单" not in english["description"]
