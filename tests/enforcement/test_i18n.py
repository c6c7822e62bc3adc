"""Chinese by default, English from locale/en: the catalogue is complete and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from enforcement.models import Grid, Role

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%\(\w+\)\.\d+f|\{\w*\}")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def test_english_catalogue_has_no_untranslated_or_fuzzy_entries(po):
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated msgids in {PO_PATH}: {untranslated[:20]}"
    assert fuzzy == [], f"fuzzy msgids in {PO_PATH}: {fuzzy[:20]}"


def test_english_translations_keep_every_placeholder(po):
    broken = []
    for entry in po.translated_entries():
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(target)):
                broken.append(entry.msgid)
    assert broken == []


def test_compiled_mo_matches_po(po):
    """The committed .mo holds exactly the .po's translations (run compilemessages after editing)."""
    mo = polib.mofile(str(MO_PATH))
    expected = {
        _key(e): (dict(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
        for e in po.translated_entries()
    }
    compiled = {
        _key(e): (dict(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
        for e in mo
        if e.msgid  # skip the header entry
    }
    assert compiled == expected


def test_model_verbose_names_translate_to_english():
    with translation.override("en"):
        assert str(Grid._meta.verbose_name) == "Grid"
        assert str(Role.TOWNSHIP_OFFICER.label) == "Township officer"
    with translation.override("zh-hans"):
        assert str(Grid._meta.verbose_name) == "网格"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "请使用您的工作账号登录" in html
    assert "Sign in with your work account" not in html


@pytest.mark.django_db
def test_login_page_renders_in_english_when_language_is_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in html
    assert "Sign in with your work account" in html
    assert "Comprehensive Enforcement Bureau System" in html
    assert "请使用您的工作账号登录" not in html


@pytest.mark.django_db
@pytest.mark.django_db
def test_language_switch_on_login_page_sets_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with your work account" in html


def test_browser_language_does_not_override_the_chinese_default(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    assert page.headers["Content-Language"] == "zh-hans"
