"""Shared pieces of the REST API: pagination, one error format, scoped viewsets."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def error_body(code: str, message, fields: dict | None = None) -> dict:
    """The one error format of every 4xx: {"code", "message", "fields"}."""
    return {
        "code": code,
        "message": str(message),
        "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
    }


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, (list, tuple)):
                out[key] = [str(v) if not isinstance(v, dict) else str(v) for v in value]
            elif isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, (list, tuple)):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc, context):
    """Turn domain errors and DRF errors into the one error format."""
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()) or "invalid"
        response.data = error_body("validation_failed", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), detail if not isinstance(detail, (dict, list)) else str(detail))
    return response


class ScopedQuerysetMixin:
    """ViewSet mixin: the queryset is always ``Model.objects.visible_to(request.user)``.

    Out-of-scope objects therefore answer 404, as in the UI.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)
