"""Forms of the core pages, and the Bootstrap styling every app's forms may reuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """An HTML date picker that round-trips ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BootstrapFormMixin:
    """Give widgets Bootstrap 5 classes, and mark fields with errors invalid.

    Use it first in the bases: ``class TicketForm(BootstrapFormMixin, forms.ModelForm)``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            classes = [c for c in widget.attrs.get("class", "").split() if c]
            if css not in classes:
                classes.append(css)
            widget.attrs["class"] = " ".join(classes)

    def full_clean(self):
        # Marked after cleaning, not in __init__: subclasses may still set choices there.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])


class InboxFilterForm(forms.Form):
    """Filter and order of the notification inbox (GET parameters)."""

    ORDER_UNREAD_FIRST = "unread"
    ORDER_NEWEST = "newest"

    unread = forms.BooleanField(label=_("只看未读"), required=False)
    order = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(ORDER_UNREAD_FIRST, _("未读优先")), (ORDER_NEWEST, _("最新优先"))],
    )

    def filters(self) -> dict:
        """Valid filters, with defaults for anything missing or malformed."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "unread_only": bool(data.get("unread")),
            "newest_first": data.get("order") == self.ORDER_NEWEST,
        }


class GridFilterForm(BootstrapFormMixin, forms.Form):
    """Search and township filter of the grid list."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    township = forms.TypedChoiceField(label=_("乡镇/街道"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("网格编码或名称")
        self.fields["township"].choices = [("", _("全部乡镇/街道"))] + [(t.pk, t.name) for t in townships]


def apply_domain_error(form, error, field_map: dict[str, str] | None = None) -> None:
    """Show a service's DomainError on the form: on its fields when named, else as a form error.

    Views call a service inside ``try``; on DomainError they call this and
    re-render the form, so the clerk sees the service's own message.
    ``field_map`` renames a service's field to the form's where they differ.
    A field's message is often a short label ("本机构不持有该事项"); the service's whole
    message (who holds the matter, which article) then also shows above the form.
    """
    field_map = field_map or {}
    placed = set()
    for name, messages in (getattr(error, "fields", None) or {}).items():
        target = field_map.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
            placed.add(str(message))
    if str(error) not in placed:
        form.add_error(None, str(error))
