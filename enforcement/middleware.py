"""Login required everywhere except the public prefixes in settings."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.signals import got_request_exception
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class LoginRequiredMiddleware:
    """Send anonymous users to the login page, except on public paths.

    The API answers 401/403 through DRF itself (token clients have no session),
    so /api/ is left to DRF's authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.public = tuple(settings.PUBLIC_PATH_PREFIXES)

    def __call__(self, request):
        path = request.path_info
        # Path checks first: they are free, while request.user loads the session.
        if (
            not path.startswith("/api/")
            and not path.startswith(self.public)
            and not request.user.is_authenticated
        ):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def chosen_language(request) -> str:
    """The language of the switch's cookie if supported, else Chinese (see DefaultChineseLocaleMiddleware)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class DatabaseUnavailableMiddleware:
    """Answer 503 with a page in the site's language while the database cannot be reached.

    Outermost in MIDDLEWARE: a lost database connection may surface anywhere (the
    session, the user, a view), where Django turns it into a 500. The exception is
    noted on the request by the ``got_request_exception`` signal, and this
    middleware replaces the 500 by a 503 that says what happened and to retry;
    the next request reconnects by itself (CONN_HEALTH_CHECKS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return self.unavailable(request)
        return response

    @staticmethod
    def unavailable(request) -> HttpResponse:
        with translation.override(chosen_language(request)):
            message = _("数据库暂时无法连接，系统正在恢复，请稍后刷新重试。")
            if request.path_info.startswith(("/api/", "/open311/")):
                from enforcement.api_base import error_body

                response = JsonResponse(error_body("service_unavailable", message), status=503,
                                        json_dumps_params={"ensure_ascii": False})
            else:
                from django.template.loader import render_to_string

                # A page of its own: base.html would ask the database for the menu and the user.
                response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = "30"
        return response


def _note_database_errors(sender, request=None, **kwargs) -> None:
    import sys

    from django.db import InterfaceError, OperationalError

    error = sys.exc_info()[1]
    if request is not None and isinstance(error, (OperationalError, InterfaceError)):
        request._database_unavailable = True


got_request_exception.connect(_note_database_errors, dispatch_uid="bureau-database-unavailable")


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    """Chinese by default; English only when the user chose it with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, so an
    officer whose browser happens to be set to English would get English
    pages. The bureau's default is Simplified Chinese (DEVELOPERS.md), so only
    the language cookie set by the switch (``set_language``) is honoured.
    """

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()


# NUL (PostgreSQL text cannot hold it) and lone UTF-16 surrogates (no UTF-8 encoding
# exists for them): no field of any form, query or JSON body may carry them.
_INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class InvalidInputMiddleware:
    """Refuse input no view can store with 400 naming the field, in one place for every view.

    Looks at the path, the query string, form fields (names, values and
    uploaded file names) and JSON bodies. A body that cannot be parsed at all
    (a broken multipart stream) is refused here too, instead of failing later
    in whichever view reads it first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = self.invalid_field(request)
        except MultiPartParserError:
            return self.refuse(request, "", _("提交的表单数据无法解析。"))
        if field is not None:
            return self.refuse(request, field, _("“%(field)s”含有不允许的字符（如空字符 NUL），请删除后重新提交。")
                               % {"field": field or "?"})
        return self.get_response(request)

    @staticmethod
    def invalid_field(request) -> str | None:
        """The name of the first field holding an invalid character, or None."""
        if _INVALID_CHARACTERS.search(request.path_info):
            return "path"
        found = _first_invalid(request.GET.lists())
        if found is not None:
            return found
        if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
            return None
        content_type = request.content_type or ""
        if content_type in _FORM_TYPES:
            found = _first_invalid(request.POST.lists())
            if found is None:
                found = _first_invalid((name, [f.name for f in files]) for name, files in request.FILES.lists())
            return found
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"null")
            except ValueError:
                return None  # not JSON at all: the view's parser answers 400 itself
            return _first_invalid_json(data, "")
        return None

    @staticmethod
    def refuse(request, field: str, message) -> HttpResponse:
        path = request.path_info
        if path.startswith(("/api/", "/open311/")):
            from enforcement.api_base import error_body

            fields = {field: [message]} if field else {}
            return JsonResponse(error_body("invalid_input", message, fields), status=400,
                                json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(str(message), content_type="text/plain; charset=utf-8")


def _first_invalid(items) -> str | None:
    for key, values in items:
        if _INVALID_CHARACTERS.search(key):
            return _printable(key)
        for value in values:
            if isinstance(value, str) and _INVALID_CHARACTERS.search(value):
                return key
    return None


def _first_invalid_json(value, where: str) -> str | None:
    if isinstance(value, str):
        return where if _INVALID_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if _INVALID_CHARACTERS.search(str(key)):
                return _printable(name)
            found = _first_invalid_json(item, name)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_invalid_json(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def _printable(name: str) -> str:
    return _INVALID_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", name)
