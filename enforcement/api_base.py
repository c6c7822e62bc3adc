"""Shared pieces of the REST API: pagination, one error format, scoped viewsets."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, filters, pagination, status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from enforcement import keyset
from enforcement.errors import DomainError

# Lists count their matches exactly up to here and say "more than" past it.
COUNT_CAP = 10_000


class CappedPage(Page):
    """A page of a capped count: whether a next page exists was seen by reading one row ahead."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CappedPaginator(Paginator):
    """A paginator that counts at most ``count_cap`` matches (for the list pages and the API alike).

    Counting every match of a list over a million rows scans all of them on
    every page (~0.2-0.3 s on PostgreSQL), although a reader needs the exact
    figure only while it is small. ``count`` is exact up to the cap
    (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``); past it ``count`` is the
    cap and ``count_capped`` is true, and a page shows "10000+".
    Pages past the cap stay reachable: a page then reads one row more than it
    shows to know whether a next page exists.
    """

    count_cap = COUNT_CAP

    def __init__(self, *args, count_cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count_cap is not None:
            self.count_cap = count_cap
        self._current = 1

    @cached_property
    def _counted(self) -> int:
        """The number of matches, counted up to ``count_cap + 1``."""
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.is_sliced:
            # No ORDER BY: the order does not change a count, and sorting would read every match.
            return rows.order_by()[: self.count_cap + 1].count()
        return min(len(rows), self.count_cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.count_cap)

    @property
    def count_capped(self) -> bool:
        return self._counted > self.count_cap

    @property
    def count_label(self) -> str:
        """The count as a page shows it: "10000+" past the cap (templates/includes/pagination.html)."""
        return f"{self.count}+" if self.count_capped else str(self.count)

    def validate_number(self, number) -> int:
        if not self.count_capped:
            return super().validate_number(number)
        # Past the cap the last page is unknown: any page from 1 on may hold rows (page() finds out).
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        self._current = number
        if not self.count_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        try:
            return super().get_page(number)
        except EmptyPage:  # past the last row, beyond the pages counted: show the last page counted
            return self.page(self.num_pages)

    def get_elided_page_range(self, number=None, *, on_each_side=3, on_ends=2) -> Iterator:
        """Page links around ``number`` (by default the page last served, so templates need no argument)."""
        number = self._current if number is None else number
        if not self.count_capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        number = self.validate_number(number)
        if number > on_each_side + on_ends + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, number + 1)
        else:
            yield from range(1, number + 1)
        # The number of pages is not known past the cap: the pages counted, then "more".
        yield from range(number + 1, min(number + on_each_side, self.num_pages) + 1)
        yield self.ELLIPSIS


class Pagination(pagination.PageNumberPagination):
    """Page numbers with a capped count, and keyset cursors for deep pages.

    ``?page=N`` works as it always did (``count`` at most 10000 and
    ``count_capped``). Every answer also carries ``next_cursor`` when the
    list's ordering allows it: ``?cursor=<next_cursor>`` then reads the next
    page from where this one stopped (enforcement.keyset), without an offset
    and without counting, so page 5,000 costs what page 1 costs. ``?cursor=``
    (empty) starts a keyset walk at the top. Cursor pages have no ``count``
    and no ``previous`` (forward only).
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = keyset.ordering_of(queryset) if isinstance(queryset, QuerySet) else None
        self.cursor_mode = self.cursor_query_param in request.query_params
        self.request = request
        if not self.cursor_mode:
            rows = super().paginate_queryset(queryset, request, view)
            has_next = self.page.has_next() if rows is not None else False
            last = rows[-1] if rows else None
            # Only rows that carry their id (model rows, or .values() rows with "id") give a cursor.
            usable = last is not None and (not isinstance(last, dict) or "id" in last)
            self.next_cursor = keyset.encode(self.keyset, last) if (self.keyset and has_next and usable) else None
            return rows
        if self.keyset is None:
            raise exceptions.ValidationError({self.cursor_query_param: [_("此列表的排序不支持游标分页。")]})
        token = request.query_params.get(self.cursor_query_param) or ""
        try:
            after = keyset.decode(self.keyset, queryset, token) if token else None
        except keyset.InvalidCursor:
            raise exceptions.ValidationError({self.cursor_query_param: [_("游标无效，或与当前排序不符。")]}) from None
        rows, has_next = keyset.page_after(queryset, self.keyset, after, self.get_page_size(request))
        self.next_cursor = keyset.encode(self.keyset, rows[-1]) if has_next else None
        return rows

    def _cursor_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data) -> Response:
        if self.cursor_mode:
            return Response({
                "count": None, "count_capped": None, "next": self._cursor_link(), "previous": None,
                "next_cursor": self.next_cursor, "results": data,
            })
        return Response({
            "count": self.page.paginator.count,
            "count_capped": self.page.paginator.count_capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "next_cursor": self.next_cursor,
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Number of matches, exact up to {COUNT_CAP}; past it {COUNT_CAP} with count_capped true. "
            "Null on a cursor page."
        )
        response["properties"]["count"]["nullable"] = True
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_capped": {"type": "boolean", "example": False, "nullable": True,
                             "description": f"True when more than {COUNT_CAP} match (count is then {COUNT_CAP})."},
            **{k: v for k, v in response["properties"].items() if k != "count"},
            "next_cursor": {"type": "string", "nullable": True,
                            "description": "Pass as ?cursor= to read the next page from where this one stopped "
                                           "(keyset pagination: deep pages cost what the first costs)."},
        }
        return response

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "next_cursor of the previous answer (empty: start a cursor walk at the top).",
            "schema": {"type": "string"},
        }]


class SearchFilter(filters.SearchFilter):
    """DRF's search, except that ``=field`` is an exact match (DRF's own is ``iexact``).

    Search fields marked ``=`` are unique codes (a ticket number, a hotline
    reference): ``UPPER(number) = UPPER(...)`` cannot use the unique index and
    read every row (1.2 s at 1,000,000 tickets, issue 18); ``number = ...`` is
    one index probe. Codes are matched as written.
    """

    lookup_prefixes = {**filters.SearchFilter.lookup_prefixes, "=": "exact"}


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering with the id appended as tie-breaker, in the direction of the last term.

    Without it rows with equal values (many tickets share a deadline) come back in
    any order, so one row could appear on two pages and another on none; with it,
    the ordering matches a ``(field, id)`` index and keyset cursors work.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or any(str(term).lstrip("-") in ("id", "pk") for term in ordering):
            return ordering
        last = str(ordering[-1])
        return [*ordering, "-id" if last.startswith("-") else "id"]


FIRST_YEAR = 2000


def year_param(request) -> int:
    """The ``?year=`` of a yearly report: this year when absent, else 2000..this year (a 400 naming the field)."""
    from django.utils import timezone

    raw = request.query_params.get("year", "")
    today = timezone.localdate().year
    if not raw:
        return today
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= today:
        message = _("年度无效：应为 %(first)s 至 %(last)s 之间的年份。") % {"first": FIRST_YEAR, "last": today}
        raise exceptions.ValidationError({"year": [message]})
    return int(raw)


def error_body(code: str, message, fields: dict | None = None) -> dict:
    """The one error format of every 4xx: {"code", "message", "fields"}."""
    return {
        "code": code,
        "message": str(message),
        "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
    }


def fields_message(fields: dict) -> str:
    """The ``message`` of a 400 naming each refused field: ``"field: message; other: message"``."""
    return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in fields.items())


def _flatten(detail) -> dict:
    """DRF's nested error detail as ``{"field": [...], "orders[3].township": [...]}``.

    A list serializer (``many=True``) reports one dict per item, empty for
    the valid ones: each refused item is named by its 0-based index.
    """
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, msgs in _flatten(item).items():
                            out[f"{key}[{index}].{sub}"] = msgs
                    elif item:
                        out[f"{key}[{index}]"] = [str(item)]
            elif isinstance(value, (list, tuple)):
                out[key] = [str(v) for v in value]
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
        response.data = error_body("validation_failed", fields_message(fields) or "invalid", fields)
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
        return super().get_queryset().visible_to(self.request.user, **self.visibility_arguments())

    def visibility_arguments(self) -> dict:
        """Keyword arguments for ``visible_to`` beside the user (a view whose filter the scope can use)."""
        return {}


# Refusals every operation can give, whatever its own extend_schema says: a bad parameter or
# character (400, enforcement.middleware.InvalidInputMiddleware), no or a wrong token (401),
# a role that may not (403), an object out of scope (404); writes also a state moved on (409).
_READ_ERRORS = {
    "400": "请求参数无效", "401": "未登录或令牌无效", "403": "无权执行", "404": "不存在，或不在您的查看范围内",
    "429": "请求过于频繁，或登录失败次数过多已被暂时锁定",
}
_WRITE_ERRORS = {**_READ_ERRORS, "409": "状态已变化或与他人操作冲突"}


@csrf_exempt  # a POST to an unknown API path is a 404, not a CSRF refusal page
def api_not_found(request, *args, **kwargs):
    """Any path under /api/ that no route matches: 404 in the error format, not Django's HTML page."""
    from django.http import JsonResponse

    return JsonResponse(error_body("not_found", exceptions.NotFound.default_detail), status=404,
                        json_dumps_params={"ensure_ascii": False})


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: name the 4xx answers of every operation in the schema."""
    error = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = _READ_ERRORS if method == "get" else _WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for status_code, description in errors.items():
                responses.setdefault(status_code, {
                    "description": description, "content": {"application/json": {"schema": error}},
                })
    return result
