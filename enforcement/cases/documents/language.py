"""Official documents are always issued in Chinese, whatever language the clerk's UI uses."""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils import translation


def official_language(func):
    """Run ``func`` with the official language (zh-hans) active.

    Legal documents (决定书, 告知书, 送达回证 ...) have effect only in the
    official language: an officer who reads the UI in English must still
    issue them in Simplified Chinese. A fresh ``override`` per call keeps
    nested and concurrent calls from restoring the wrong language.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper
