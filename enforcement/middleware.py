"""Login required everywhere except the public prefixes in settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login


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
        if (
            not request.user.is_authenticated
            and not path.startswith(self.public)
            and not path.startswith("/api/")
        ):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
