"""Chinese by default, English from locale/en: the catalogue is complete and compiled."""

from __future__ import annotations

import re
import shutil
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


# Top-level entries of the project that makemessages must not walk into (as in
# the Makefile's `messages` target, plus tests: their strings are test data).
NOT_SOURCE = {".venv", "var", "node_modules", "staticfiles", "tests", "locale"}


def _catalogue_keys(pofile) -> set[tuple[str | None, str, str]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in pofile if not e.obsolete}


def test_english_catalogue_matches_the_source_strings(tmp_path, monkeypatch):
    """Running makemessages would neither add nor drop a msgid (run `make messages` if this fails).

    makemessages runs in a mirror of the project (symlinks to the source
    folders) whose LOCALE_PATHS holds a copy of the .po, so the real catalogue
    is never written to, even when someone runs makemessages at the same time.
    """
    from django.core.management import call_command

    from tests.conftest import require

    require(
        all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib")),
        "GNU gettext (xgettext, msgmerge)",
    )
    base = Path(settings.BASE_DIR)
    mirror = tmp_path / "project"
    mirror.mkdir()
    for entry in base.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_SOURCE:
            continue
        (mirror / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    copy = mirror / "locale" / "en" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copyfile(PO_PATH, copy / "django.po")

    monkeypatch.chdir(mirror)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [str(mirror / "locale")])
    call_command(
        "makemessages",
        locale=["en"],
        domain="django",
        symlinks=True,
        no_obsolete=True,
        ignore_patterns=sorted(NOT_SOURCE),
        verbosity=0,
    )

    committed = _catalogue_keys(polib.pofile(str(PO_PATH)))
    extracted = _catalogue_keys(polib.pofile(str(copy / "django.po")))
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    assert missing == [], f"source strings missing from {PO_PATH} ({len(missing)}): {missing[:20]}"
    assert stale == [], f"msgids in {PO_PATH} no longer in the source ({len(stale)}): {stale[:20]}"


def test_admin_permission_names_are_chinese(db):
    # Django names default permissions "Can add <model>" in English; after migrate ours read in Chinese.
    from django.contrib.auth.models import Permission

    assert not Permission.objects.filter(name__startswith="Can ").exists()
    assert Permission.objects.get(codename="view_case").name == "可查看案件"


def test_admin_captions_missing_from_djangos_catalogue_are_chinese(admin_client):
    body = admin_client.get("/admin/").content.decode()
    assert "Add link" not in body and "Model name" not in body and "Change or view list link" not in body
