"""Catalogue imports through the web: the uploaded file between preview and
confirm, and the background job that performs the real import.

ARCHITECTURE.md "Background work": long work reports progress that a page
shows. The job's state lives in Django's cache under one key (Redis when
configured, so the web process and the worker see the same record; the
in-process cache in the embedded default, where the task also runs in
process). The import itself is ``enforcement.catalogue.importer.import_catalogue``:
all-or-nothing, so a failed job leaves the catalogue unchanged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from celery import signature
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.catalogue.importer import ImportReport, import_catalogue

logger = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
# Uploads nobody confirmed are removed after a day (checked on every new upload).
STALE_UPLOAD_SECONDS = 24 * 3600
JOB_TIMEOUT = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
ALLOWED_EXTENSIONS = (".xlsx", ".csv")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = frozenset({DONE, FAILED})


# --- the uploaded file ---------------------------------------------------------


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def upload_path(token: str, ext: str) -> Path:
    """Where upload ``token`` lives; refuses anything that is not one of our names."""
    if not TOKEN_RE.match(token or "") or ext not in ALLOWED_EXTENSIONS:
        raise ValueError("not an import upload")
    return upload_dir() / f"{token}{ext}"


def store_upload(upload: UploadedFile) -> tuple[str, str]:
    """Save an (already validated) upload as MEDIA_ROOT/imports/<uuid>.<ext>; return (token, ext)."""
    ext = Path(upload.name or "").suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValueError("extension not allowed")
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_uploads(folder)
    token = uuid.uuid4().hex
    with open(folder / f"{token}{ext}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, ext


def remove_upload(token: str, ext: str) -> None:
    try:
        upload_path(token, ext).unlink(missing_ok=True)
    except (ValueError, OSError):
        pass


def _remove_stale_uploads(folder: Path) -> None:
    limit = time.time() - STALE_UPLOAD_SECONDS
    for path in folder.glob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


# --- reports as data -------------------------------------------------------------


def report_as_dict(report: ImportReport) -> dict[str, Any]:
    """An ImportReport as plain data (for the cache and the JSON progress endpoint)."""
    data = asdict(report)
    data["errors"] = [{"row": e.row, "column": e.column, "message": str(e.message)} for e in report.errors]
    data["ok"] = report.ok
    data["summary"] = report.summary()
    return data


# --- jobs --------------------------------------------------------------------------


def _key(job_id: str) -> str:
    return f"catalogue-import-job:{job_id}"


def get_job(job_id: str) -> dict[str, Any] | None:
    if not TOKEN_RE.match(job_id or ""):
        return None
    return cache.get(_key(job_id))


def _save(job: dict[str, Any]) -> None:
    cache.set(_key(job["id"]), job, JOB_TIMEOUT)


def _update(job_id: str, **changes) -> dict[str, Any] | None:
    # Only the task writes a job once it is queued, so read-modify-write is safe.
    job = get_job(job_id)
    if job is None:
        return None
    job.update(changes)
    _save(job)
    return job


def start_import_job(
    *, token: str, ext: str, file_name: str, sheet: str | None, create_missing: bool, by
) -> str:
    """Record a job for a previewed upload and queue the import task after commit; return the job id."""
    upload_path(token, ext)  # validates the token
    job_id = uuid.uuid4().hex
    _save(
        {
            "id": job_id,
            "state": QUEUED,
            "done": 0,
            "total": 0,
            "user_id": by.pk,
            "token": token,
            "ext": ext,
            "file_name": file_name,
            "sheet": sheet or None,
            "create_missing": bool(create_missing),
            "report": None,
            "error": "",
            "queued_at": timezone.now().isoformat(),
            "finished_at": None,
        }
    )

    def queue() -> None:
        try:
            # Queued by name: enforcement.tasks imports this module.
            signature("enforcement.tasks.import_catalogue_job", args=(job_id,)).delay()
        except Exception as exc:  # noqa: BLE001  (broker down: tell the user instead of a 500)
            logger.exception("could not queue catalogue import %s", job_id)
            _update(job_id, state=FAILED, error=_("无法提交后台任务：%(error)s") % {"error": exc},
                    finished_at=timezone.now().isoformat())

    transaction.on_commit(queue)
    return job_id


def run_import_job(job_id: str) -> str:
    """Perform a queued import, writing progress into the job; return its final state.

    Idempotent: a finished job is not run again (a redelivered task is a no-op).
    """
    job = get_job(job_id)
    if job is None:
        logger.warning("catalogue import job %s not found (expired?)", job_id)
        return "missing"
    if job["state"] in FINISHED:
        return job["state"]
    _update(job_id, state=RUNNING)
    path = upload_path(job["token"], job["ext"])
    user = get_user_model().objects.filter(pk=job["user_id"]).first()

    def progress(done: int, total: int) -> None:
        _update(job_id, done=done, total=total)

    try:
        if not path.exists():
            raise FileNotFoundError(_("上传的文件已不存在，请重新上传。"))
        report = import_catalogue(
            path,
            sheet=job["sheet"],
            create_missing=job["create_missing"],
            by=user,
            progress=progress,
            source_name=job["file_name"],
        )
    except Exception as exc:  # noqa: BLE001  (the page must show why; the import rolled back)
        logger.exception("catalogue import job %s failed", job_id)
        _update(job_id, state=FAILED, error=str(exc), finished_at=timezone.now().isoformat())
        return FAILED
    state = DONE if report.ok else FAILED
    latest = get_job(job_id) or job
    _update(
        job_id,
        state=state,
        report=report_as_dict(report),
        done=max(latest.get("done", 0), report.rows),
        total=max(latest.get("total", 0), report.rows),
        finished_at=timezone.now().isoformat(),
    )
    remove_upload(job["token"], job["ext"])
    return state


def job_percent(job: dict[str, Any]) -> int:
    if job["state"] in FINISHED:
        return 100
    total = job.get("total") or 0
    if not total:
        return 0
    # Reading and checking is most of the work; the last few percent are the write.
    return min(95, int(job.get("done", 0) * 95 / total))
