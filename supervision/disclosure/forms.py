"""Forms of the disclosure report's actions (pages and API validate with the same forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EmptyForm(forms.Form):
    pass


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AmendForm(forms.Form):
    text = forms.CharField(
        label=_("修订后的分析"),
        required=False,
        help_text=_("留空则使用自动生成的分析；自动生成的文字始终保留。"),
        widget=forms.Textarea(attrs={"rows": 14}),
    )


class BuildForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
