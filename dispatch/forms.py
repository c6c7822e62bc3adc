"""Forms of the ticket pages: input shapes only; the rules live in dispatch.services."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dispatch.filters import HANDLER_KINDS, TicketFilter
from dispatch.models import Channel, Priority, Satisfaction, TicketCategory
from dispatch.selectors import pending_extension
from dispatch.services.intake import STAFF_CHANNELS
from dispatch.suggest import suggest_matters
from dispatch.uploads import accept_attribute
from enforcement.forms import BootstrapFormMixin
from enforcement.models import Agency, Grid, Matter, PartyKind
from enforcement.workdays import Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one's size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attribute()}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data if d] if isinstance(data, (list, tuple)) else (
            [single(data, initial)] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


# Words an API body may use for yes and no besides the form's "1" and "0" (JSON true/false, "true", "on"...).
YES_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
NO_WORDS = frozenset({"0", "false", "f", "no", "n", "off"})


class YesNoField(forms.TypedChoiceField):
    """A yes/no choice the page shows as two radio buttons ("1"/"0"); an API body may send true/false."""

    def __init__(self, *, yes, no, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("initial", "1")
        super().__init__(choices=[("1", yes), ("0", no)], coerce=lambda v: v == "1", **kwargs)

    def to_python(self, value):
        if isinstance(value, bool):
            return "1" if value else "0"
        word = str(value).strip().lower() if isinstance(value, (str, int)) else value
        if word in YES_WORDS:
            return "1"
        if word in NO_WORDS:
            return "0"
        return super().to_python(value)


def _categories():
    return TicketCategory.objects.filter(is_active=True)


def _handlers():
    return Agency.objects.active().filter(kind__in=HANDLER_KINDS)


class TicketForm(BootstrapFormMixin, forms.Form):
    """What every intake form asks; subclasses drop what their channel does not need."""

    category = forms.ModelChoiceField(label=_("问题类别"), queryset=_categories(), required=False)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices, initial=Priority.NORMAL)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    place = forms.CharField(label=_("地点"), max_length=300, required=False)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    lng = forms.FloatField(label=_("经度"), required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    attachments = MultipleFileField(
        label=_("照片或材料"), help_text=_("可多选；照片 JPG/PNG/WebP/HEIC，文档 PDF/Word/Excel")
    )

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "grid" in self.fields:
            self.fields["grid"].queryset = grids if grids is not None else Grid.objects.select_related("township")
        self.fields["category"].queryset = _categories()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if v not in (None, "") or k in ("lat", "lng")}


class StaffIntakeForm(TicketForm):
    """坐席录入: the command centre records a call."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=[(c, Channel(c).label) for c in STAFF_CHANNELS])
    external_ref = forms.CharField(label=_("热线工单号"), max_length=64, required=False)
    reporter_name = forms.CharField(label=_("反映人"), max_length=60, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    township = forms.ModelChoiceField(label=_("所属乡镇/街道"), queryset=Agency.objects.townships().active(),
                                      required=False)

    field_order = ["channel", "external_ref", "reporter_name", "reporter_phone", "category", "priority", "title",
                   "description", "township", "grid", "place", "lat", "lng", "attachments"]


class TownshipCallForm(TicketForm):
    """街呼区应: a township asks the county to act."""

    field_order = ["category", "priority", "title", "description", "grid", "place", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lat", "lng"):
            self.fields.pop(name)
        self.fields["description"].label = _("需要县级部门协助解决的问题")


class PatrolReportForm(TicketForm):
    """巡查上报 from a phone: few fields, the camera, and the position when the phone gives it."""

    field_order = ["category", "description", "place", "grid", "attachments", "lat", "lng"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "priority"):
            self.fields.pop(name)
        self.fields["lat"].widget = forms.HiddenInput()
        self.fields["lng"].widget = forms.HiddenInput()
        self.fields["attachments"].widget.attrs.update({"accept": "image/*", "capture": "environment"})
        self.fields["attachments"].label = _("现场照片")


class GridReportForm(PatrolReportForm):
    """网格上报: a grid member reports from one of their own grids (``grids``), so the grid is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grid = self.fields["grid"]
        grid.required = True
        grid.empty_label = None if len(grid.queryset) == 1 else _("请选择网格")
        grid.help_text = _("只能为您负责的网格上报。")
        self.fields["attachments"].help_text = _("可多选；可用手机直接拍照。")


# --- action forms ------------------------------------------------------------------------


class TriageForm(BootstrapFormMixin, forms.Form):
    matter = forms.ModelChoiceField(label=_("执法事项"), queryset=Matter.objects.none())
    township = forms.ModelChoiceField(label=_("所属乡镇/街道"), queryset=Agency.objects.townships().active(),
                                      required=False)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=TicketCategory.objects.none(), required=False)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=[("", "—"), *Priority.choices], required=False)
    note = forms.CharField(label=_("分流说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = Matter.objects.in_force().only("id", "code", "name")
        self.fields["grid"].queryset = Grid.objects.select_related("township")
        self.fields["category"].queryset = _categories()
        self.ticket = ticket
        if ticket is not None and not self.is_bound:
            suggested = ticket.matter_id or (self.suggestions[0].matter_id if self.suggestions else None)
            self.initial.update({"matter": suggested, "township": ticket.township, "grid": ticket.grid,
                                 "category": ticket.category, "priority": ticket.priority})


    @cached_property
    def suggestions(self) -> list:
        """Matters ranked from the category and the words of the report (dispatch.suggest); the first is preselected.

        Computed when the page shows them, not when an API body is validated.
        """
        return suggest_matters(self.ticket) if self.ticket is not None else []


class AssignForm(BootstrapFormMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("承办单位"), queryset=Agency.objects.none(), required=False)
    co_handlers = forms.ModelMultipleChoiceField(
        label=_("联合执法协办单位"), queryset=Agency.objects.none(), required=False,
        help_text=_("选填：需要“综合查一次”时，由承办单位牵头，协办单位分别反馈"),
    )
    note = forms.CharField(label=_("交办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _handlers()
        self.fields["co_handlers"].queryset = _handlers()
        self.fields["co_handlers"].widget.attrs["size"] = 6
        if ticket is not None and not self.is_bound:
            self.initial["agency"] = ticket.proposed_agency


class CoHandlersForm(BootstrapFormMixin, forms.Form):
    agencies = forms.ModelMultipleChoiceField(label=_("协办单位"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = _handlers()
        self.fields["agencies"].widget.attrs["size"] = 6
        if ticket is not None and not self.is_bound:
            self.initial["agencies"] = [c.agency for c in ticket.co_handlers.all() if c.role == "co"]

    def clean_agencies(self):
        # A form posts nothing when no agency is selected (= no co-handlers), but a JSON body
        # must name the list, even empty, so that a body without it clears nothing.
        if not isinstance(self.data, QueryDict) and self.add_prefix("agencies") not in self.data:
            raise forms.ValidationError(self.fields["agencies"].error_messages["required"], code="required")
        return self.cleaned_data["agencies"]


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(BootstrapFormMixin, forms.Form):
    resolution = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("现场照片/材料"))


class VerdictForm(BootstrapFormMixin, forms.Form):
    accepted = YesNoField(label=_("评价结论"), yes=_("认可"), no=_("不认可，退回重办"))
    score = forms.TypedChoiceField(label=_("评分"), choices=[("", "—")] + [(str(i), str(i)) for i in range(5, 0, -1)],
                                   coerce=int, empty_value=None, required=False, help_text=_("认可时 1-5 分"))
    reason = forms.CharField(label=_("评价意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(BootstrapFormMixin, forms.Form):
    into = forms.CharField(label=_("并入工单编号"), max_length=20)
    note = forms.CharField(label=_("说明"), required=False)


class ExtensionRequestForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("延长时限"), max_digits=6, decimal_places=2, min_value=0.5, initial=2)
    # Not required: an API client that names no unit asks in working days, the page's preselected unit.
    unit = forms.ChoiceField(label=_("单位"), choices=Unit.choices, initial=Unit.WORKING_DAYS, required=False)
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_unit(self) -> str:
        return self.cleaned_data.get("unit") or Unit.WORKING_DAYS


class ExtensionDecideForm(BootstrapFormMixin, forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput())
    approve = YesNoField(label=_("审批意见"), yes=_("同意延期"), no=_("不同意"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None and not self.is_bound:
            pending = pending_extension(ticket)
            self.initial["extension"] = pending.pk if pending else None


class FeedbackForm(BootstrapFormMixin, forms.Form):
    feedback = forms.CharField(label=_("协办反馈"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(BootstrapFormMixin, forms.Form):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConvertToCaseForm(BootstrapFormMixin, forms.Form):
    """转为案件线索: what the lead needs besides what the ticket already says (matter, place, facts, day)."""

    title = forms.CharField(label=_("案由"), max_length=300)
    party_kind = forms.ChoiceField(label=_("当事人类型"), choices=PartyKind.choices, initial=PartyKind.INDIVIDUAL)
    party_name = forms.CharField(label=_("当事人"), max_length=200)
    party_legal_rep = forms.CharField(label=_("法定代表人/负责人"), max_length=100, required=False,
                                      help_text=_("当事人为单位的必填"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None and not self.is_bound:
            self.initial["title"] = ticket.category.name if ticket.category_id else ticket.summary


class AttachForm(BootstrapFormMixin, forms.Form):
    files = MultipleFileField(label=_("上传附件"), required=True)


class StatsForm(BootstrapFormMixin, forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


def styled_filter(filterset: TicketFilter) -> forms.Form:
    """The filter set's form with Bootstrap classes (django-filter builds plain widgets)."""
    form = filterset.form
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.SelectMultiple):
            widget.attrs.update({"class": "form-select form-select-sm", "size": 3})
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        elif isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.attrs["class"] = "form-control form-control-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
    return form


class InspectionTicketForm(BootstrapFormMixin, forms.Form):
    """The "ticket to another agency" action of an inspection record (registered by this app at ready)."""

    target = forms.ModelChoiceField(label=_("移交单位"), queryset=Agency.objects.none())
    description = forms.CharField(label=_("移交事项说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, record=None, user=None, **kwargs):
        self.record = record
        self.user = user
        super().__init__(*args, **kwargs)
        qs = Agency.objects.active().order_by("sort_order", "code")
        if record is not None:
            qs = qs.exclude(pk=record.agency_id)
        self.fields["target"].queryset = qs
