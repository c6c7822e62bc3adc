"""The site's form renderer: Django's, with <select> elements written in Python.

Django renders a select through three templates, one ``{% include %}`` per
option and another per attribute list: a filter form of ten selects and ~130
options (the ticket list's) spent ~8 ms of a 25 ms page in them, more than
the 30-row table beside it. This renderer writes the same HTML (byte for byte:
tests/enforcement/test_forms_renderer.py compares it with the templates' output
for selects, multiple selects, option groups, boolean and escaped attributes)
and hands every other template, and any select whose option uses another
template, to Django as before.

A project template overriding ``django/forms/widgets/select.html`` or
``select_option.html`` would not be used for selects: none does, and the test
fails if one appears.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_stringformat(value)}"')
    return "".join(out)


def _stringformat(value) -> str:
    """``{{ value|stringformat:'s' }}``: str() of the value, escaped unless it was marked safe."""
    text = str(value)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = self._select(context["widget"])
            if html is not None:
                return mark_safe(html)
        return super().render(template_name, context, request=request)

    @staticmethod
    def _select(widget: dict) -> str | None:
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
            for option in group_choices:
                if option["template_name"] != OPTION:
                    return None  # a custom option template: let Django render the whole select
                parts.append(
                    f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
                    f'{conditional_escape(localize(option["label"]))}</option>\n'
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
