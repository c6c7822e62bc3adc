"""Forms of the devolution pages: input shapes only; the rules live in services and rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devolution.models import (
    AssessmentConclusion,
    Category,
    ItemMode,
    ReviewDecision,
    StatutoryKind,
)
from devolution.selectors import all_townships
from enforcement.forms import (  # noqa: F401  (views import it from here)
    BootstrapFormMixin,
    DateInput,
    apply_domain_error,
)
from enforcement.models import Agency, Domain, Matter


class TownshipChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})

    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class BatchForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=_("批次编号"), max_length=40, help_text=_("例如 2026-1"))
    title = forms.CharField(label=_("批次名称"), max_length=200)
    provincial_decision = forms.CharField(label=_("省级赋权决定"), max_length=300,
                                          help_text=_("省人民政府赋予乡镇（街道）行政执法权的决定名称及文号"))
    county_document_no = forms.CharField(label=_("县级文件文号"), max_length=100)
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput())
    townships = TownshipChoiceField(label=_("涉及乡镇（街道）"), queryset=Agency.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = all_townships()


class ItemForm(BootstrapFormMixin, forms.Form):
    matter_code = forms.CharField(label=_("事项编码"), max_length=40,
                                  help_text=_("须为省级赋权指导目录内的事项"))
    townships = TownshipChoiceField(label=_("承接乡镇（街道）"), queryset=Agency.objects.none())
    category = forms.ChoiceField(label=_("下放类别"), choices=Category.choices)
    mode = forms.ChoiceField(label=_("承接方式"), choices=ItemMode.choices)
    rationale = forms.CharField(label=_("下放理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    entered_case_count_3y = forms.IntegerField(
        label=_("近三年案件数（手工录入）"), min_value=0, required=False,
        help_text=_("仅用于系统上线前的历史案件：填写后以此数为准，不填则按系统中的案件统计"),
    )
    package = forms.ModelChoiceField(label=_("“一件事”事项包"), queryset=None, required=False,
                                     help_text=_("整体下放事项须归入事项包"))
    hub_township = forms.ModelChoiceField(label=_("中心镇（街道）"), queryset=Agency.objects.none(), required=False,
                                          help_text=_("“1+X”辐射方式：中心镇须在承接乡镇之中，其余为辐射乡镇"))
    deferred_reason = forms.CharField(label=_("暂缓理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_date = forms.DateField(label=_("暂缓复核日期"), widget=DateInput(), required=False)

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        # Suggest the guidance-catalogue matters as the code is typed (a <datalist>, see item_form.html).
        self.fields["matter_code"].widget.attrs["list"] = "guidance-matters"
        townships = batch.townships.order_by("sort_order", "code")
        self.fields["townships"].queryset = townships
        self.fields["hub_township"].queryset = townships
        self.fields["package"].queryset = batch.packages.order_by("name")

    def clean_matter_code(self) -> Matter:
        code = self.cleaned_data["matter_code"].strip()
        matter = Matter.objects.filter(code=code).first()
        if matter is None:
            raise forms.ValidationError(_("事项编码“%(code)s”不存在。") % {"code": code})
        return matter

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        hub = data["hub_township"] if data["mode"] == ItemMode.HUB_AND_SPOKE else None
        return {
            "townships": list(data["townships"]),
            "category": data["category"],
            "mode": data["mode"],
            "rationale": data["rationale"],
            "entered_case_count_3y": data["entered_case_count_3y"],
            "package": data["package"],
            "hub_township": hub,
            "deferred_reason": data["deferred_reason"],
            "review_date": data["review_date"],
        }


ITEM_FIELD_MAP = {"matter": "matter_code"}


class PackageForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("“一件事”名称"), max_length=200)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssessmentForm(BootstrapFormMixin, forms.Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DateInput())
    experts = forms.CharField(label=_("评估专家"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("专家姓名及单位，每行一位"))
    conclusion = forms.ChoiceField(label=_("评估结论"), choices=AssessmentConclusion.choices)
    summary = forms.CharField(label=_("评估意见摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opinion_file = forms.FileField(label=_("评估意见书"), required=False)


class StatutoryRecordForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=StatutoryKind.choices)
    document_no = forms.CharField(label=_("文号"), max_length=100)
    issued_on = forms.DateField(label=_("日期"), widget=DateInput())
    file = forms.FileField(label=_("附件"), required=False)


class AgreementForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("委托部门"), queryset=Agency.objects.departments().active())
    townships = TownshipChoiceField(label=_("受委托乡镇（街道）"), queryset=Agency.objects.none())
    document_no = forms.CharField(label=_("协议编号"), max_length=100, required=False)
    scope = forms.CharField(label=_("委托范围"), widget=forms.Textarea(attrs={"rows": 3}))
    term_from = forms.DateField(label=_("委托期限起"), widget=DateInput())
    term_to = forms.DateField(label=_("委托期限止"), widget=DateInput())
    file = forms.FileField(label=_("协议文本"))

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["townships"].queryset = batch.townships.order_by("sort_order", "code")


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审查意见"), choices=ReviewDecision.choices)
    text = forms.CharField(label=_("意见内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class NoInputForm(forms.Form):
    """An action that takes no input (submit, start review, publish, enact)."""


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("意见内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class RevokeForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("撤销生效日期"), widget=DateInput(), help_text=_("自该日起终止授权，不早于今天"))
    reason = forms.CharField(label=_("撤销原因"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ResponsibilityForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("监管部门"), queryset=Agency.objects.none())
    duties = forms.CharField(label=_("监管责任"), widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("下放后部门仍须履行的监管职责，每行一条"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class PowerMapFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("事项编码或名称"), required=False)
    domain = forms.ModelChoiceField(label=_("执法领域"), queryset=Domain.objects.all(), required=False,
                                    empty_label=_("全部领域"))
    on = forms.DateField(label=_("日期"), widget=DateInput(), required=False)
    devolved_only = forms.BooleanField(label=_("只看已下放乡镇的事项"), required=False)

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "domain": None, "on": timezone.localdate(), "devolved_only": False}
        data = self.cleaned_data
        return {"q": data["q"].strip(), "domain": data["domain"], "on": data["on"] or timezone.localdate(),
                "devolved_only": data["devolved_only"]}
