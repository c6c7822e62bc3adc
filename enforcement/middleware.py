"""Login required everywhere except the public prefixes in settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    """Chinese by default; English only when the user chose it with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, so an
    officer whose browser happens to be set to English would get English
    pages. The bureau's default is Simplified Chinese (DEVELOPERS.md), so only
    the language cookie set by the switch (``set_language``) is honoured.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
