"""Evidence of a case: uploads with size and type limits, a SHA-256 fixed at upload, an access log.

Evidence is part of the full-process record (全过程记录): a stored item is never
altered or deleted (the model refuses it, and on PostgreSQL a trigger too);
a wrong or better copy *supersedes* it, with a reason, and both stay in the
case file. Every view and download writes an event on the item
(:func:`evidence_open`), so the file's history shows who looked at it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.models import PENDING_DECISION_STATES, Case, CaseStatus, Evidence, EvidenceKind
from enforcement.cases.permissions import can_handle
from enforcement.cases.rules import case_policy
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.workflow import record_event

# Allowed formats: extension -> (content type, magic-number check). The client's own
# content type is never trusted; the first bytes must match the extension.
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".wav": ("audio/wav", (b"RIFF",)),
    ".mp4": ("video/mp4", ()),  # checked by its "ftyp" box below
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}
# Evidence may be added from the lead until the decision (and while a legal review sends it back).
EVIDENCE_STATES = (CaseStatus.LEAD, *PENDING_DECISION_STATES)
CHUNK = 64 * 1024


def _format_size(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def check_upload(upload) -> tuple[str, str]:
    """Refuse an oversized or forbidden file; return (extension, content type)."""
    limit = case_policy().evidence_max_bytes
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    allowed = "、".join(sorted({e.lstrip(".") for e in ALLOWED_TYPES}))
    if ext not in ALLOWED_TYPES:
        raise ValidationFailed(
            _(
                "不允许上传“%(ext)s”类型的文件（证据文件格式限制：仅限 %(allowed)s；"
                "电子数据、视听资料等证据种类见《行政处罚法》第四十六条）。"
            )
            % {"ext": ext or name, "allowed": allowed},
            field="file", code="file_type_forbidden",
        )
    size = upload.size
    if size > limit:
        raise ValidationFailed(
            _(
                "文件大小 %(size)s 超过证据文件大小上限 %(limit)s（案件办理参数“证据文件大小上限”），"
                "请压缩或分段后上传。"
            )
            % {"size": _format_size(size), "limit": _format_size(limit)},
            field="file", code="file_too_large",
        )
    if size == 0:
        raise ValidationFailed(_("文件为空。"), field="file")
    content_type, magics = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ok = head[4:8] == b"ftyp" if ext == ".mp4" else any(head.startswith(m) for m in magics)
    if not ok:
        raise ValidationFailed(
            _("文件内容与扩展名“%(ext)s”不符（证据文件格式限制），请上传原始文件。") % {"ext": ext},
            field="file", code="file_type_mismatch",
        )
    return ext, content_type


def sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(CHUNK), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def evidence_add(
    case: Case,
    *,
    by,
    kind: str,
    title: str,
    file,
    collected_on: dt.date,
    collected_place: str = "",
    description: str = "",
    supersedes: Evidence | None = None,
    reason: str = "",
) -> Evidence:
    """Store one piece of evidence with its SHA-256, uploader and time; optionally superseding an earlier one."""
    if by is not None and not can_handle(case, by):
        raise PermissionRefused(_("您不是本案办案机构的执法人员，不能登记证据。"))
    if case.status not in EVIDENCE_STATES:
        raise InvalidTransition(
            _("案件当前状态“%(state)s”下不能再登记证据。") % {"state": case.get_status_display()}
        )
    if kind not in EvidenceKind.values:
        raise ValidationFailed(_("请选择证据种类（《行政处罚法》第四十六条）。"), field="kind")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写证据名称。"), field="title")
    if collected_on > timezone.localdate():
        raise ValidationFailed(_("取证日期不能晚于今天。"), field="collected_on")
    _ext, content_type = check_upload(file)
    digest = sha256_of(file)
    original = os.path.basename(file.name)
    with transaction.atomic():
        evidence = Evidence(
            case=case, kind=kind, title=title, description=description.strip(), collected_on=collected_on,
            collected_place=collected_place.strip(), original_name=original[:255], content_type=content_type,
            size=file.size, sha256=digest, uploaded_by=by,
        )
        evidence.file.save(original, file, save=False)
        evidence.save()
        data = {"evidence": evidence.pk, "title": title, "sha256": digest, "size": file.size, "kind": kind}
        if supersedes is not None:
            data["supersedes"] = supersedes.pk
        record_event(case, "evidence_add", by=by, data=data, note=reason)
    return evidence


def evidence_supersede(old: Evidence, *, by, reason: str, file, title: str = "", collected_on: dt.date | None = None,
                       description: str = "") -> Evidence:
    """Replace an item by a new upload; the old one stays in the file, marked superseded with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写替代理由。"), field="reason")
    case = old.case
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=old.pk)
        if locked.superseded_at is not None:
            raise InvalidTransition(_("该证据已被替代，不能再次替代。"))
        new = evidence_add(
            case, by=by, kind=locked.kind, title=title or locked.title, file=file,
            collected_on=collected_on or locked.collected_on, collected_place=locked.collected_place,
            description=description or locked.description, supersedes=locked, reason=reason,
        )
        locked.superseded_by = new
        locked.superseded_at = timezone.now()
        locked.superseded_reason = reason
        locked.superseded_by_user = by
        locked.save(update_fields=["superseded_by", "superseded_at", "superseded_reason", "superseded_by_user"])
        record_event(locked, "evidence_superseded", by=by, note=reason, data={"by_evidence": new.pk})
    return new


def evidence_open(evidence: Evidence, *, by, download: bool = False):
    """Log the view (or download) and return the open file. The caller checked the user may see the case."""
    record_event(
        evidence, "evidence_download" if download else "evidence_view", by=by,
        data={"case": evidence.case_id, "sha256": evidence.sha256},
    )
    return evidence.file.open("rb")


def evidence_verify(evidence: Evidence) -> bool:
    """Tell whether the stored file still has the SHA-256 recorded at upload."""
    with evidence.file.open("rb") as fh:
        return sha256_of(fh) == evidence.sha256
