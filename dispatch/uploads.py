"""What a ticket attachment may be: size and type limits, checked on the file's content.

Limits come from settings: ``MAX_UPLOAD_SIZE`` (bytes, default 20 MB) and
``DISPATCH_ATTACHMENT_TYPES`` (extension -> content type; default: photos
JPEG/PNG/WebP/HEIC and documents PDF/DOC/DOCX/XLS/XLSX). The extension must be
allowed *and* the first bytes must look like that kind of file, so a renamed
executable is refused whatever the browser claims its type is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from enforcement.errors import ValidationFailed

DEFAULT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls)
_ZIP = b"PK\x03\x04"  # Office Open XML (docx, xlsx)


def _looks_like(ext: str, head: bytes) -> bool:
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext == "heic":
        return head[4:8] == b"ftyp"
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("doc", "xls"):
        return head.startswith(_OLE)
    if ext in ("docx", "xlsx"):
        return head.startswith(_ZIP)
    return False


def allowed_types() -> dict[str, str]:
    return dict(getattr(settings, "DISPATCH_ATTACHMENT_TYPES", DEFAULT_TYPES))


def max_size() -> int:
    return int(getattr(settings, "MAX_UPLOAD_SIZE", 20 * 1024 * 1024))


def accept_attribute() -> str:
    """The ``accept`` attribute of file inputs."""
    return ",".join(f".{ext}" for ext in allowed_types())


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    ext: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload) -> CheckedUpload:
    """Check one uploaded file; raise ValidationFailed (field ``files``) with a clear reason."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    types = allowed_types()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed_list = "、".join(sorted({e.upper() for e in types}))
    if ext not in types:
        raise ValidationFailed(
            _("“%(name)s”的文件类型不允许上传。允许的类型：%(types)s。") % {"name": name, "types": allowed_list},
            field="files", code="file_type_not_allowed",
        )
    size = upload.size
    limit = max_size()
    if size > limit:
        raise ValidationFailed(
            _("“%(name)s”大小为 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            field="files", code="file_too_large",
        )
    if size == 0:
        raise ValidationFailed(_("“%(name)s”是空文件。") % {"name": name}, field="files", code="file_empty")
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for piece in upload.chunks():
        if len(head) < 16:
            head += piece[: 16 - len(head)]
        digest.update(piece)
    upload.seek(0)
    if not _looks_like(ext, head):
        raise ValidationFailed(
            _("“%(name)s”的内容与其扩展名不符，可能不是真正的 %(ext)s 文件。") % {"name": name, "ext": ext.upper()},
            field="files", code="file_content_mismatch",
        )
    return CheckedUpload(name=name, ext=ext, content_type=types[ext], size=size, sha256=digest.hexdigest())
