"""Official documents come out in Chinese even when the clerk's UI is in English."""

from django.utils import translation

from enforcement.cases.documents.language import official_language


def test_official_language_is_chinese_and_restores_the_callers_language():
    @official_language
    def inner():
        return translation.get_language()

    @official_language
    def outer():
        return inner(), translation.get_language()

    with translation.override("en"):
        assert outer() == ("zh-hans", "zh-hans")
        assert translation.get_language() == "en"
