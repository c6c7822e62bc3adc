"""Backup, wipe, restore: every table and every uploaded file comes back identical (PostgreSQL)."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from django.db import connection

from enforcement.backup import BackupError, media_files
from tests.enforcement.cases_support import filed, world  # noqa: F401  (fixture)
from tests.enforcement.test_cases_evidence import add as add_evidence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def tables_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and an MD5 over the rows, in a stable order, of every table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) '
                           f'FROM "{table}" t')
            result[table] = cursor.fetchone()
    return result


def test_backup_wipe_restore_gives_back_every_table_and_file(postgres, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = add_evidence(world, filed(world))
    (tmp_path / "media" / "devolution").mkdir(parents=True)
    (tmp_path / "media" / "devolution" / "协议.pdf").write_bytes(b"%PDF-1.4 agreement")
    before_tables, before_files = tables_fingerprint(), media_files(tmp_path / "media")
    assert evidence.file.name in before_files and before_tables["enforcement_evidence"][0] == 1

    call_command("backup", output=str(tmp_path / "backups"))
    [folder] = list((tmp_path / "backups").iterdir())

    # Wipe: every row and every file.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(tmp_path / "media")
    assert tables_fingerprint()["enforcement_evidence"][0] == 0

    call_command("restore", str(folder), yes=True)
    assert tables_fingerprint() == before_tables
    assert media_files(tmp_path / "media") == before_files


def test_a_tampered_backup_is_refused_before_anything_is_replaced(postgres, world, settings, tmp_path):  # noqa: F811
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    add_evidence(world, filed(world))
    call_command("backup", output=str(tmp_path / "backups"))
    [folder] = list((tmp_path / "backups").iterdir())
    stored = next((folder / "media").rglob("*.jpg"))
    stored.write_bytes(b"altered evidence")
    before = tables_fingerprint()

    with pytest.raises(CommandError, match="do not match"):
        call_command("restore", str(folder), yes=True)
    assert tables_fingerprint() == before
    assert BackupError  # the error the command reports
