"""The site's form renderer writes selects in Python: the same HTML as Django's templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from dispatch.filters import TicketFilter
from dispatch.forms import styled_filter
from enforcement.forms_renderer import OPTION, SELECT, FormRenderer
from enforcement.models import Agency


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Apple"), ("b", "Banana")], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("水果", [("a", "Apple"), ("b", "B & <b>")]), ("其他", [(3, 2026)])],
        widget=forms.Select(attrs={"class": "form-select", "data-x": 'say "hi"', "autofocus": True,
                                   "disabled": False, "size": 3}),
    )
    many = forms.MultipleChoiceField(choices=[("1", _("是")), ("2", mark_safe("<i>safe</i>"))],
                                     widget=forms.SelectMultiple(attrs={"size": 2}))
    nullable = forms.NullBooleanField(widget=forms.NullBooleanSelect)
    text = forms.CharField()


def _render_both(form: forms.Form) -> list[tuple[str, str]]:
    """Each field as the site's renderer writes it and as Django's templates do."""
    django_renderer = DjangoTemplates()
    pairs = []
    for name in form.fields:
        ours = str(form[name].as_widget())
        form.renderer = django_renderer
        theirs = str(form[name].as_widget())
        form.renderer = FormRenderer()
        pairs.append((ours, theirs))
    return pairs


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "b", "grouped": "3", "many": ["1", "2"], "nullable": "true", "text": "<x>"},
        {"plain": "nope", "grouped": "b", "many": ["2"], "nullable": "false"},
    ],
    ids=["unbound", "chosen", "invalid"],
)
def test_selects_equal_djangos_templates(data):
    for language in ("zh-hans", "en"):
        with override(language):
            form = Sample(data, renderer=FormRenderer())
            for ours, theirs in _render_both(form):
                assert ours == theirs
    # The fast path really ran: the selected option and the escaping are in the output.
    form = Sample({"grouped": "b"}, renderer=FormRenderer())
    html = str(form["grouped"])
    assert '<option value="b" selected>B &amp; &lt;b&gt;</option>' in html
    assert 'data-x="say &quot;hi&quot;" autofocus size="3"' in html
    assert "disabled" not in html


@pytest.mark.django_db
def test_ticket_filter_form_equals_djangos_templates(county):
    """The ticket list's filter: model choices (ids as values), multiple selects, yes/no selects."""
    township_a = county.town_a
    Agency.objects.filter(pk=township_a.pk).update(name='东<城> & "镇"')
    form = styled_filter(TicketFilter({"status": ["new"], "township": str(township_a.pk)}, queryset=None))
    form.renderer = FormRenderer()
    for ours, theirs in _render_both(form):
        assert ours == theirs
    assert f'<option value="{township_a.pk}" selected>东&lt;城&gt; &amp; &quot;镇&quot;</option>' in str(
        form["township"])


def test_a_custom_option_template_goes_through_django():
    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=Starred)

    form = Form(renderer=FormRenderer())
    ours = str(form["pick"])
    form.renderer = DjangoTemplates()
    assert ours == str(form["pick"])
    assert '<label><input type="select" name="pick" value="a">' in ours  # input_option.html, not the fast path


def test_no_project_template_overrides_the_select_templates():
    """The fast path writes Django's own markup; a project override of these would be silently unused."""
    for name in (SELECT, OPTION, "django/forms/widgets/attrs.html"):
        origin = FormRenderer().get_template(name).template.origin.name
        assert "/django/forms/templates/" in origin, origin


def test_the_site_uses_this_renderer(settings):
    assert settings.FORM_RENDERER == "enforcement.forms_renderer.FormRenderer"
