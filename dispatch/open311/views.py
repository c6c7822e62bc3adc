"""GeoReport v2 endpoints: discovery, services, service definition, requests (GET/POST), request, tokens.

Plain Django views (the API's session and token machinery does not apply:
Open311 authenticates a POST by its ``api_key`` parameter). Every answer is
JSON or XML after the URL's format suffix; every error is an array of
``{code, description}`` with HTTP 400 (bad or missing parameters), 403
(missing or invalid api_key) or 404 (no such service, request or token).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from dispatch.api_intake import intake_channels_for
from dispatch.models import (
    FINAL_STATES,
    HOTLINE_CHANNELS,
    OPEN_STATES,
    Channel,
    Ticket,
    TicketCategory,
)
from dispatch.open311 import serializers, xml
from dispatch.refcache import cached
from dispatch.services.intake import ticket_intake
from enforcement.errors import DomainError
from enforcement.models import Agency, AgencyKind, Event

# Tickets the public may read through Open311: reports that came from the public.
# A township's own calls, patrol and grid reports are internal and never listed.
PUBLIC_CHANNELS = (Channel.PUBLIC_WEB, Channel.OPEN311, Channel.STAFF, *HOTLINE_CHANNELS)
# GeoReport v2 "Response Volume": a window of 90 days by default (start_date/end_date).
DEFAULT_SPAN = dt.timedelta(days=90)
# GET requests is paged: ``limit`` requests per page (default 50, at most 200) and ``page``
# (1-based), newest first, with a ``Link: <...>; rel="next"`` header while more follow. The spec
# leaves the size to the endpoint ("may return a limited number"); 50 is the common default of
# GeoReport v2 endpoints (Chicago, SeeClickFix), and 200 keeps a response well under a second.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CHANGESET = "2026-11-22 00:00"
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description
        super().__init__(description)


def _render(data, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(xml.render(root, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False},
                        content_type="application/json; charset=utf-8")


def _error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return _render([{"code": status, "description": d} for d in descriptions], fmt, root="errors", status=status)


def endpoint(*methods: str):
    """Wrap a view: allowed methods, Open311 errors as an array, CSRF-exempt (API clients post)."""

    def decorate(view):
        @csrf_exempt
        def wrapped(request: HttpRequest, *args, fmt: str = "json", **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = _error(fmt, 405, _("不支持 %(method)s 请求。") % {"method": request.method})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return _error(fmt, error.status, error.description)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


# --- discovery and services ------------------------------------------------------------------


@endpoint("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service Discovery: where the GeoReport v2 endpoint is and what it speaks."""
    bureau = Agency.objects.filter(kind=AgencyKind.BUREAU).order_by("pk").only("name").first()
    name = bureau.name if bureau else _("综合行政执法局")
    data = {
        "changeset": CHANGESET,
        "contact": _("%(name)s指挥中心；群众举报请拨打 12345 热线。") % {"name": name},
        "key_service": _(
            "接入系统的 api_key 由本局系统管理员在后台“接入系统”中签发（勾选“Open311接口”渠道）。"
        ),
        "endpoints": [{
            "specification": serializers.SPECIFICATION,
            "url": request.build_absolute_uri("/open311/v2"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return _render(data, fmt, root="discovery")


@endpoint("GET", "HEAD")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service List: the active problem categories."""
    categories = TicketCategory.objects.filter(is_active=True).select_related("domain")
    return _render([serializers.service_dict(c) for c in categories], fmt, root="services")


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    """GET Service Definition of one service code."""
    category = TicketCategory.objects.filter(is_active=True, code=service_code).first()
    if category is None:
        raise Open311Error(404, _("service_code“%(code)s”不存在。") % {"code": service_code})
    return _render(serializers.service_definition(category), fmt, root="service_definition")


# --- requests -----------------------------------------------------------------------------------


def public_requests() -> QuerySet[Ticket]:
    return Ticket.objects.filter(channel__in=PUBLIC_CHANNELS).select_related(
        "category", "responsible_agency", "merged_into"
    )


def _extras(tickets: list[Ticket]) -> dict[int, dict]:
    """What Open311 clients sent beyond the columns, per ticket, in one query."""
    ids = [t.pk for t in tickets if t.channel == Channel.OPEN311]
    if not ids:
        return {}
    rows = Event.objects.filter(
        content_type=ContentType.objects.get_for_model(Ticket), object_id__in=ids, action="intake"
    ).values_list("object_id", "data")
    return {object_id: (data or {}).get("open311") or {} for object_id, data in rows}


def _request_list(tickets: list[Ticket]) -> list[dict]:
    extras = _extras(tickets)
    return [serializers.request_dict(t, extras.get(t.pk)) for t in tickets]


@endpoint("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service Requests (filtered, at most 90 days, paged by ``limit`` and ``page``), or POST a service request."""
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    wanted_ids = _split(params.get("service_request_id"))
    queryset = public_requests()
    if wanted_ids:
        # "This overrides all other arguments."
        tickets = list(queryset.filter(number__in=[i.upper() for i in wanted_ids]).order_by("-received_at")
                       [:MAX_LIMIT])
        return _render(_request_list(tickets), fmt, root="service_requests")
    codes = _split(params.get("service_code"))
    if codes:
        known = set(TicketCategory.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise Open311Error(400, _("service_code“%(code)s”不存在。") % {"code": "、".join(unknown)})
        queryset = queryset.filter(category__code__in=codes)
    statuses = _split(params.get("status"))
    if statuses:
        invalid = [s for s in statuses if s not in ("open", "closed")]
        if invalid:
            raise Open311Error(400, _("status 只能是 open 或 closed。"))
        where = Q()
        if "open" in statuses:
            where |= Q(status__in=OPEN_STATES)
        if "closed" in statuses:
            where |= Q(status__in=FINAL_STATES)
        queryset = queryset.filter(where)
    start, end = _window(params.get("start_date"), params.get("end_date"))
    queryset = queryset.filter(received_at__gte=start, received_at__lte=end)
    limit, page = _paging(params)
    offset = (page - 1) * limit
    tickets = list(queryset.order_by("-received_at", "-id")[offset:offset + limit + 1])
    response = _render(_request_list(tickets[:limit]), fmt, root="service_requests")
    if len(tickets) > limit:
        following = params.copy()
        following["page"] = str(page + 1)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{following.urlencode()}>; rel="next"'
    return response


def _paging(params) -> tuple[int, int]:
    """(limit, page) from the query: a positive ``limit`` (at most MAX_LIMIT) and a 1-based ``page``."""
    values = {}
    for name, default in (("limit", DEFAULT_LIMIT), ("page", 1)):
        raw = (params.get(name) or "").strip()
        try:
            values[name] = int(raw) if raw else default
        except ValueError:
            values[name] = 0
        if values[name] < 1:
            raise Open311Error(400, _("%(name)s 须为正整数。") % {"name": name})
    return min(values["limit"], MAX_LIMIT), values["page"]


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date_param(name: str, value: str | None) -> dt.datetime | None:
    if value is None or not value.strip():
        return None  # an empty optional argument is the same as none (spec "Optional Arguments")
    try:
        return serializers.parse_w3c(value)
    except ValueError:
        raise Open311Error(
            400, _("%(name)s 须为含时区的 W3C 日期时间格式，例如 2026-01-01T00:00:00+08:00。") % {"name": name}
        ) from None


def _window(start_value: str | None, end_value: str | None) -> tuple[dt.datetime, dt.datetime]:
    start = _date_param("start_date", start_value)
    end = _date_param("end_date", end_value)
    if start is None and end is None:
        end = timezone.now()
        start = end - DEFAULT_SPAN
    elif start is None:
        start = end - DEFAULT_SPAN
    elif end is None:
        end = start + DEFAULT_SPAN
    if start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date。"))
    if end - start > DEFAULT_SPAN:
        raise Open311Error(400, _("查询时间范围不能超过 90 天。"))
    return start, end


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    """GET Service Request: an array of one."""
    ticket = public_requests().filter(number=service_request_id.upper()).first()
    if ticket is None:
        raise Open311Error(404, _("service_request_id“%(id)s”不存在。") % {"id": service_request_id})
    return _render(_request_list([ticket]), fmt, root="service_requests")


@endpoint("GET", "HEAD")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """GET service_request_id from a token."""
    ticket = Ticket.objects.filter(channel=Channel.OPEN311, external_ref=token).only("number").first()
    if ticket is None:
        raise Open311Error(404, _("token“%(token)s”不存在。") % {"token": token})
    return _render([{"service_request_id": ticket.number, "token": token}], fmt, root="service_requests")


# --- POST a service request -----------------------------------------------------------------------


def _client(request: HttpRequest):
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not key:
        raise Open311Error(403, _("缺少 api_key，无法提交服务请求。"))
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        raise Open311Error(403, _("api_key 无效，无法提交服务请求。"))
    if Channel.OPEN311 not in intake_channels_for(token.user):
        raise Open311Error(403, _("该 api_key 未获准通过 Open311 提交服务请求。"))
    return token.user


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, _("%(name)s 须为数字。") % {"name": name}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(name)s 须为数字。") % {"name": name})
    return number


def _attributes(post) -> dict:
    values: dict[str, object] = {}
    for key in post:
        match = _ATTRIBUTE.match(key)
        if match:
            code, many = match.groups()
            values[code] = post.getlist(key) if many else post.get(key)
    return values


def _reporter_name(first: str, last: str) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"  # Chinese order: family name first
    return " ".join(part for part in (first, last) if part)


def _active_category(code: str) -> TicketCategory | None:
    try:
        return cached("active_category", code, lambda: TicketCategory.objects.get(is_active=True, code=code))
    except TicketCategory.DoesNotExist:
        return None


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    post = request.POST
    value = {name: (post.get(name) or "").strip() for name in (
        "service_code", "lat", "long", "address_string", "address_id", "email", "device_id", "account_id",
        "first_name", "last_name", "phone", "description", "media_url",
    )}
    if not value["service_code"]:
        raise Open311Error(400, _("缺少 service_code。"))
    category = _active_category(value["service_code"])
    if category is None:
        # GeoReport v2, POST Service Request, "Possible Errors": 404 - service_code was not found.
        raise Open311Error(404, _("service_code“%(code)s”不存在。") % {"code": value["service_code"]})
    has_point = bool(value["lat"] or value["long"])
    if has_point and not (value["lat"] and value["long"]):
        raise Open311Error(400, _("lat 和 long 须同时提供。"))
    if not (has_point or value["address_string"] or value["address_id"]):
        raise Open311Error(400, _("须提供位置：lat 和 long，或 address_string，或 address_id。"))
    lat = _float("lat", value["lat"]) if has_point else None
    lng = _float("long", value["long"]) if has_point else None
    if len(value["description"]) > serializers.MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 4000 个字符。"))
    if value["email"]:
        try:
            validate_email(value["email"])
        except ValidationError:
            raise Open311Error(400, _("email 格式不正确。")) from None
    if value["media_url"]:
        try:
            URLValidator(schemes=["http", "https"])(value["media_url"])
        except ValidationError:
            raise Open311Error(400, _("media_url 须为 http 或 https 网址。")) from None
    place = value["address_string"]
    if not place and value["address_id"]:
        place = _("地址编号 %(id)s") % {"id": value["address_id"]}
    description = value["description"] or _("%(service)s（Open311 提交，未附说明）") % {"service": category.name}
    # No column for these: kept in the intake event's data, never shown to the public
    # except media_url and address_id (serializers.request_dict).
    extras = {k: value[k] for k in ("email", "device_id", "account_id", "media_url", "address_id") if value[k]}
    attributes = _attributes(post)
    if attributes:
        extras["attributes"] = attributes
    token = secrets.token_hex(16)
    try:
        result = ticket_intake(
            channel=Channel.OPEN311, by=client, category=category, description=description,
            reporter_name=_reporter_name(value["first_name"], value["last_name"]),
            reporter_phone=re.sub(r"[().]", "", value["phone"]), place=place, lat=lat, lng=lng,
            external_ref=token, event_data={"open311": extras} if extras else None, by_client_system=True,
        )
    except DomainError as error:
        messages = [str(m) for msgs in error.fields.values() for m in msgs] or [str(error)]
        return _error(fmt, 400, *messages)
    ticket = result.ticket
    notice = _("已受理，受理编号 %(number)s。指挥中心将分派承办单位办理，可凭受理编号查询办理进度。") % {
        "number": ticket.number
    }
    answer: dict = {"service_notice": notice, "account_id": value["account_id"] or None}
    # The spec returns either the id (realtime) or a token (batch), never both; blackbox neither.
    kind = serializers.service_type()
    if kind == "batch":
        answer = {"token": token, **answer}
    elif kind == "realtime":
        answer = {"service_request_id": ticket.number, **answer}
    return _render([answer], fmt, root="service_requests", status=201)
