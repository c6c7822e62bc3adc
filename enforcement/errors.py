"""Domain errors: what a service says when it refuses, in words a clerk understands.

Views show ``message`` on the form; the API returns it with ``code`` and the
HTTP status below (see ``enforcement.api_base.exception_handler``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("操作未能完成。")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None, fields=None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        # field errors: {"field": ["message", ...]}
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, []).append(self.message)
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 400


class PermissionRefused(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("您没有执行此操作的权限。")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("未找到该对象，或您无权查看。")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("该记录已被他人修改，请刷新后重试。")
