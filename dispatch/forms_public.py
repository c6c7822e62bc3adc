"""Forms of the public report pages (no login): input shapes and anti-spam fields only.

The rules on what a ticket may hold (description length, coordinates, phone
characters, file size and content) live in ``dispatch.services.intake`` and
``dispatch.uploads``; this form only narrows attachments to photos, which is
all the public form offers.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dispatch.forms import MultipleFileField, MultipleFileInput
from dispatch.models import TicketCategory
from dispatch.uploads import allowed_types
from enforcement.forms import BootstrapFormMixin
from enforcement.models import Agency

STARTED_SALT = "dispatch.public-report.started"
MAX_PHOTOS = 5
# The honeypot: a text field people never see (hidden by CSS, skipped by
# keyboard and screen readers) and form-filling bots fill in.
HONEYPOT_FIELD = "website"


def photo_extensions() -> list[str]:
    return sorted(ext for ext, content_type in allowed_types().items() if content_type.startswith("image/"))


def sign_started(moment: float | None = None) -> str:
    """A tamper-proof note of when the form was handed out (for the minimum fill time)."""
    return signing.dumps(int(moment if moment is not None else time.time()), salt=STARTED_SALT)


def seconds_since_started(value: str) -> float | None:
    """Seconds since the form was handed out; ``None`` when the value is missing or forged."""
    try:
        started = signing.loads(value or "", salt=STARTED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(started, int):
        return None
    return time.time() - started


class PublicReportForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("问题类别"), queryset=TicketCategory.objects.none(), empty_label=_("请选择问题类别")
    )
    description = forms.CharField(
        label=_("问题描述"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请写明发生了什么、持续多久、影响如何")}),
    )
    place = forms.CharField(
        label=_("发生地点"), max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("如：某镇某路某号附近")}),
    )
    township = forms.ModelChoiceField(
        label=_("所属乡镇（街道）"), queryset=Agency.objects.none(), required=False,
        empty_label=_("不清楚"),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())
    lng = forms.FloatField(required=False, widget=forms.HiddenInput())
    reporter_name = forms.CharField(label=_("您的称呼"), max_length=60, required=False,
                                    help_text=_("选填；可匿名反映。"))
    reporter_phone = forms.CharField(
        label=_("联系电话"), max_length=30, required=False,
        help_text=_("选填；仅用于办理人员向您核实情况和回访，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photos = MultipleFileField(label=_("现场照片"))
    website = forms.CharField(
        label=_("网址"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(is_active=True)
        self.fields["township"].queryset = Agency.objects.townships().active().order_by("code")
        extensions = photo_extensions()
        self.fields["photos"].widget = MultipleFileInput(
            attrs={"accept": ",".join(f".{e}" for e in extensions) + ",image/*", "class": "form-control"}
        )
        self.fields["photos"].help_text = _("选填，最多 %(count)s 张，格式 %(types)s，每张不超过 %(size)s MB。") % {
            "count": MAX_PHOTOS, "types": gettext("、").join(e.upper() for e in extensions),
            "size": int(getattr(settings, "MAX_UPLOAD_SIZE", 20 * 1024 * 1024)) // (1024 * 1024),
        }
        if not self.is_bound:
            self.initial.setdefault("started", sign_started())

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(count)s 张照片。") % {"count": MAX_PHOTOS})
        extensions = set(photo_extensions())
        for photo in photos:
            name = getattr(photo, "name", "") or ""
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if ext not in extensions:
                raise forms.ValidationError(
                    _("“%(name)s”不是允许的照片格式。允许的格式：%(types)s。")
                    % {"name": name, "types": gettext("、").join(e.upper() for e in sorted(extensions))}
                )
        return photos

    @property
    def is_spam_trap_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def intake_data(self) -> dict:
        """The cleaned values as keyword arguments of ``ticket_intake``."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"],
            "place": data["place"],
            "township": data.get("township"),
            "lat": data.get("lat"),
            "lng": data.get("lng"),
            "reporter_name": data.get("reporter_name", ""),
            "reporter_phone": data.get("reporter_phone", ""),
            "attachments": data.get("photos") or [],
        }


class TrackForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(
        label=_("受理编号"), max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "GD2026-000123", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("查询码"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()
