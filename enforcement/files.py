"""Sending a stored file to a user who was checked to see it (the check is the caller's).

By default the application streams the file. Production may hand the transfer
to the web server with ``PROTECTED_MEDIA_OFFLOAD``: ``x-accel-redirect`` for
nginx (an ``internal`` location at ``PROTECTED_MEDIA_INTERNAL_URL`` aliased to
MEDIA_ROOT) or ``x-sendfile`` for Apache's mod_xsendfile. Either way the file
is never reachable without passing through a view that checked the scope.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse


def serve_file(field_file: FieldFile, *, filename: str | None = None, content_type: str | None = None,
               as_attachment: bool = True, handle=None) -> HttpResponse:
    """Answer with this stored file: streamed, or offloaded to the web server (PROTECTED_MEDIA_OFFLOAD).

    ``handle`` is an already opened file of it (closed when the web server sends the file instead).
    """
    filename = filename or field_file.name.rsplit("/", 1)[-1]
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    offload = getattr(settings, "PROTECTED_MEDIA_OFFLOAD", "")
    if offload:
        if handle is not None:
            handle.close()
        response = HttpResponse(content_type=content_type)
        if offload == "x-accel-redirect":
            response["X-Accel-Redirect"] = settings.PROTECTED_MEDIA_INTERNAL_URL + quote(field_file.name)
        else:
            response["X-Sendfile"] = field_file.path
        disposition = "attachment" if as_attachment else "inline"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    else:
        response = FileResponse(handle or field_file.open("rb"), content_type=content_type,
                                as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
