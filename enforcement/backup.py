"""Backup and restore of the whole system: the PostgreSQL database and the uploaded files, together.

A backup is a directory holding ``database.dump`` (``pg_dump -Fc``), the
uploaded files under ``media/`` and ``manifest.json``, which lists the SHA-256
of the dump and of every file. A restore checks every checksum before it
touches anything, then replaces the database (``pg_restore --clean``) and the
files, and checks the restored files again. Evidence files carry their own
hashes in the database, so the two are always backed up and restored as a pair.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(alias: str) -> tuple[list[str], dict]:
    db = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise BackupError("backup and restore need PostgreSQL (DATABASE_URL=postgres://...)")
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args + ["-d", db["NAME"]], env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def media_files(root: Path) -> dict[str, str]:
    """Every file under ``root`` by its relative path, with its SHA-256."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def backup(target: Path, *, alias: str = "default") -> Path:
    """Write a backup directory under ``target``; return its path."""
    args, env = _pg_env(alias)
    folder = target / f"bureau-{timezone.localtime():%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(folder / DUMP), *args], env)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.copytree(media_root, folder / MEDIA)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": {"file": DUMP, "sha256": _sha256(folder / DUMP)},
        "media": media_files(folder / MEDIA),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return folder


def verify(folder: Path) -> dict:
    """The manifest of this backup, after checking every checksum in it; raises BackupError otherwise."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {folder}: {exc}") from exc
    if _sha256(folder / manifest["database"]["file"]) != manifest["database"]["sha256"]:
        raise BackupError("the database dump does not match its checksum")
    found = media_files(folder / MEDIA)
    if found != manifest["media"]:
        changed = sorted(set(found.items()) ^ set(manifest["media"].items()))
        raise BackupError(f"uploaded files do not match the manifest: {changed[:10]}")
    return manifest


def restore(folder: Path, *, alias: str = "default") -> dict:
    """Replace the database and the uploaded files with this backup (verified first)."""
    manifest = verify(folder)
    args, env = _pg_env(alias)
    connections[alias].close()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          *args, str(folder / manifest["database"]["file"])], env)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    if (folder / MEDIA).exists():
        shutil.copytree(folder / MEDIA, media_root)
    else:
        media_root.mkdir(parents=True)
    if media_files(media_root) != manifest["media"]:
        raise BackupError("the restored files do not match the manifest")
    return manifest
