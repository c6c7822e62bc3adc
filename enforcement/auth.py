"""Login lockout after repeated failures (django-axes), with the bureau's own refusal.

Pages get a Chinese page saying for how long the login is locked and that an
administrator can unlock it; the API (token login) gets the one error format.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LockoutBackend(AxesStandaloneBackend):
    """Refuse locked-out logins; a login without a request (a script, ``Client.login``) is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        # The API's token login passes DRF's Request: the lockout flag belongs on Django's request,
        # where AxesMiddleware looks for it.
        django_request = getattr(request, "_request", request)
        try:
            return super().authenticate(django_request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            django_request.axes_locked_out = True
            raise


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _("登录失败次数过多，该账号在本机已被暂时锁定。请 %(minutes)d 分钟后再试，或联系系统管理员解锁。") % {
        "minutes": lockout_minutes()
    }


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    status = 429
    if request.path.startswith("/api/"):
        from enforcement.api_base import error_body

        return JsonResponse(error_body("locked_out", lockout_message()), status=status,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=status)
