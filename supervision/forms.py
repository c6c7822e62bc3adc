"""Forms of case-file review: the plan, the scoring form, the lead's reopen and settle, rectification."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from enforcement.forms import BootstrapFormMixin, DateInput
from enforcement.models.agencies import SQUADRON_KINDS, TOWNSHIP_KINDS, Agency, AgencyKind, Role
from supervision.models import RectificationItem, ReviewPlan, Rubric


def judicial_reviewers():
    return (get_user_model().objects.filter(
        is_active=True, memberships__role=Role.JUDICIAL_REVIEWER, memberships__is_active=True,
        memberships__agency__kind=AgencyKind.JUDICIAL_BUREAU).distinct().order_by("username"))


class UserChoiceMixin:
    @staticmethod
    def label_from_instance(user) -> str:
        return user.get_full_name() or user.get_username()


class UserChoiceField(UserChoiceMixin, forms.ModelChoiceField):
    pass


class UsersChoiceField(UserChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    lead = UserChoiceField(label=_("评查组长"), queryset=get_user_model().objects.none())
    reviewers = UsersChoiceField(label=_("评查人员库"), queryset=get_user_model().objects.none(),
                                 widget=forms.CheckboxSelectMultiple, required=False)
    seed = forms.IntegerField(label=_("随机种子"), required=False, min_value=1,
                              help_text=_("留空则自动生成；保存后写在方案页上，任何人可据此复现抽取结果"))

    class Meta:
        model = ReviewPlan
        fields = ["year", "title", "organiser", "lead", "rubric", "period_start", "period_end", "agencies",
                  "sample_count", "sample_share", "sample_min", "sample_max", "procedure", "major",
                  "reviewers", "second_reviewer", "score_gap", "rectify_threshold", "rectify_days",
                  "review_from", "review_to", "seed"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "review_from": DateInput(),
                   "review_to": DateInput(), "agencies": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = judicial_reviewers()
        self.fields["lead"].queryset = people
        self.fields["reviewers"].queryset = people
        self.fields["organiser"].queryset = Agency.objects.active().filter(kind=AgencyKind.JUDICIAL_BUREAU)
        self.fields["agencies"].queryset = Agency.objects.active().filter(
            kind__in=(*TOWNSHIP_KINDS, *SQUADRON_KINDS)).order_by("sort_order", "code")
        self.fields["agencies"].required = False
        self.fields["rubric"].queryset = Rubric.objects.order_by("name", "-version")
        if self.instance.pk:
            self.fields["seed"].required = True

    def clean(self):
        data = super().clean()
        if not data.get("sample_count") and data.get("sample_share") in (None, ""):
            self.add_error("sample_count", _("请填写每单位抽取件数或抽取比例。"))
        if data.get("seed") is None:
            data.pop("seed", None)
        return data


class ScoreForm(BootstrapFormMixin, forms.Form):
    """One field pair per deduction item and per veto item of the rubric."""

    comment = forms.CharField(label=_("总体意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, groups=(), vetoes=(), initial_marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups, self.vetoes = list(groups), list(vetoes)
        for group in self.groups:
            for item in group.items.all():
                self.fields[f"d_{item.pk}"] = forms.DecimalField(
                    label=item.text, required=False, min_value=Decimal(0), max_value=item.max_deduction,
                    decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "data-item": item.code}))
                self.fields[f"c_{item.pk}"] = forms.CharField(label=_("扣分理由"), required=False,
                                                              widget=forms.TextInput())
        for veto in self.vetoes:
            self.fields[f"v_{veto.pk}"] = forms.BooleanField(label=veto.text, required=False)
            self.fields[f"vc_{veto.pk}"] = forms.CharField(label=_("理由"), required=False)

    def rows(self):
        """(group, [(item, points field, comment field)]) for the template."""
        return [(g, [(i, self[f"d_{i.pk}"], self[f"c_{i.pk}"]) for i in g.items.all()]) for g in self.groups]

    def veto_rows(self):
        return [(v, self[f"v_{v.pk}"], self[f"vc_{v.pk}"]) for v in self.vetoes]

    def deductions(self) -> dict[int, tuple[Decimal, str]]:
        out = {}
        for group in self.groups:
            for item in group.items.all():
                points = self.cleaned_data.get(f"d_{item.pk}")
                if points:
                    out[item.pk] = (points, self.cleaned_data.get(f"c_{item.pk}", ""))
        return out

    def veto_marks(self) -> dict[int, str]:
        return {v.pk: self.cleaned_data.get(f"vc_{v.pk}", "") for v in self.vetoes if self.cleaned_data.get(
            f"v_{v.pk}")}


def score_initial(score, suggestions: tuple[dict, dict]) -> dict:
    """The form's values: the saved draft, or the system's pre-marks when nothing was saved yet."""
    initial = {"comment": score.comment}
    if score.saved_at is None:
        items, vetoes = suggestions
        for pk, (points, reason) in items.items():
            initial[f"d_{pk}"], initial[f"c_{pk}"] = points, reason
        for pk, reason in vetoes.items():
            initial[f"v_{pk}"], initial[f"vc_{pk}"] = True, reason
        return initial
    for d in score.deductions.all():
        initial[f"d_{d.item_id}"], initial[f"c_{d.item_id}"] = d.points, d.comment
    for v in score.vetoes.all():
        initial[f"v_{v.veto_id}"], initial[f"vc_{v.veto_id}"] = True, v.comment
    return initial


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class SettleForm(BootstrapFormMixin, forms.Form):
    total = forms.DecimalField(label=_("裁定得分"), min_value=0, max_value=100, decimal_places=1)
    vetoed = forms.BooleanField(label=_("否决"), required=False)
    note = forms.CharField(label=_("裁定意见"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(BootstrapFormMixin, forms.Form):
    item = forms.ModelChoiceField(queryset=RectificationItem.objects.none(), widget=forms.HiddenInput)
    answer = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        if notice is not None:
            self.fields["item"].queryset = notice.items.all()


class CheckForm(BootstrapFormMixin, forms.Form):
    """The reviewer's decision on each item: accept or return (with a note)."""

    ACCEPT, RETURN = "accept", "return"

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [i for i in items if i.status != "accepted"]
        for item in self.items:
            self.fields[f"a_{item.pk}"] = forms.ChoiceField(
                label=_("第%(n)s项") % {"n": item.order}, widget=forms.RadioSelect,
                choices=[(self.ACCEPT, _("认可")), (self.RETURN, _("退回"))])
            self.fields[f"n_{item.pk}"] = forms.CharField(label=_("意见"), required=False)

    def decisions(self) -> dict[int, tuple[bool, str]]:
        return {i.pk: (self.cleaned_data[f"a_{i.pk}"] == self.ACCEPT, self.cleaned_data.get(f"n_{i.pk}", ""))
                for i in self.items}
