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


def test_operation_summaries_follow_the_language(api_for, dispatcher):
    api = api_for(dispatcher)

    def summaries(query):
        paths = api.get(f"/api/schema/?format=json{query}").json()["paths"]
        return {(path, method): op.get("summary", "") for path, ops in paths.items() for method, op in ops.items()
                if isinstance(op, dict)}

    chinese, english = summaries(""), summaries("&lang=en")
    assert chinese[("/api/tickets/{id}/accept/", "post")] == "签收"
    assert english[("/api/tickets/{id}/accept/", "post")] == "Accept"
    assert english[("/api/devolution/batches/", "post")] == "Draft a devolution batch"
    # No operation summary is left in Chinese in the English document.
    left = [key for key, text in english.items() if any("\u4e00" <= ch <= "\u9fff" for ch in text)]
    assert not left, left
