"""Forms of performance evaluation: the period filter, the bureau's rating, the townships' forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.forms import BootstrapFormMixin, DateInput
from supervision.evaluation.choices import Recommendation
from supervision.evaluation.models import EvaluationPeriod, RatingItem, RatingScheme
from supervision.evaluation.selectors import RANK_KEYS

RANK_LABELS = {
    "avg_score": _("乡镇评价均分"),
    "on_time_rate": _("按时办结率"),
    "accept_rate": _("按时签收率"),
    "satisfaction_rate": _("群众满意率"),
    "review_average": _("案卷评查均分"),
    "received": _("承办工单数"),
}
SCORE_FIELD = {"min_value": Decimal("0"), "max_value": Decimal("100"), "max_digits": 5, "decimal_places": 2}


class PeriodFilterForm(BootstrapFormMixin, forms.Form):
    """Any period: a configured one, or start and end dates (default: this year so far)."""

    period = forms.ModelChoiceField(EvaluationPeriod.objects.all(), label=_("考核周期"), required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    order = forms.ChoiceField(label=_("排名依据"), required=False, choices=[(k, RANK_LABELS[k]) for k in RANK_KEYS])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data

    def bounds(self) -> tuple[dt.date, dt.date, str]:
        """(start, end, order) from valid data, else this year up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        order = data.get("order") or "avg_score"
        if data.get("period"):
            return data["period"].start, data["period"].end, order
        return data.get("start") or dt.date(today.year, 1, 1), data.get("end") or today, order


class RatingForm(BootstrapFormMixin, forms.Form):
    """One score and one reason per item of the unit's scheme; a note when correcting a published rating."""

    def __init__(self, *args, scheme: RatingScheme, correcting: bool = False, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[RatingItem] = list(scheme.items.all())
        initial_scores = initial_scores or {}
        for item in self.items:
            score, reason = initial_scores.get(item.pk, (None, ""))
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=_("%(name)s 得分（权重 %(weight)s%%）") % {"name": item.name, "weight": item.weight.normalize()},
                initial=score,
                **SCORE_FIELD,
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("%(name)s 评分理由") % {"name": item.name},
                initial=reason,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if correcting:
            self.fields["note"] = forms.CharField(label=_("更正说明"), widget=forms.Textarea(attrs={"rows": 2}))

    def scores(self) -> dict:
        return {i.pk: (self.cleaned_data[f"item_{i.pk}"], self.cleaned_data[f"reason_{i.pk}"]) for i in self.items}


class TownshipUnitForm(BootstrapFormMixin, forms.Form):
    period = forms.ModelChoiceField(EvaluationPeriod.objects.all(), widget=forms.HiddenInput)
    unit = forms.IntegerField(widget=forms.HiddenInput)
    township = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("评价得分"), **SCORE_FIELD)
    comment = forms.CharField(label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TownshipOfficerForm(BootstrapFormMixin, forms.Form):
    officer = forms.IntegerField(widget=forms.HiddenInput)
    township = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("评价得分"), **SCORE_FIELD)
    comments = forms.CharField(label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.ChoiceField(label=_("任免建议（可选）"), choices=Recommendation.choices, required=False)
