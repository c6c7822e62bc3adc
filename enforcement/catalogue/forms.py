"""Forms of the catalogue pages: the search/filter bar and the spreadsheet upload.

The search form only turns GET parameters into the arguments of
:func:`enforcement.catalogue.selectors.matter_search`; the search itself lives
there, shared with the API.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from enforcement.catalogue.models import Domain, MatterStatus, PowerType
from enforcement.catalogue.selectors import FLAG_FIELDS, MatterFilters
from enforcement.forms import BootstrapFormMixin
from enforcement.models.agencies import Agency

FLAG_CHOICES = [
    ("first_offense_exempt", _("首违不罚")),
    ("safety_critical", _("安全关键")),
    ("in_guidance_catalogue", _("纳入指导目录")),
]
assert {name for name, _label in FLAG_CHOICES} == set(FLAG_FIELDS)

IMPORT_EXTENSIONS = (".xlsx", ".csv")
# A 2,000-matter catalogue is well under 2 MB; the cap only stops mistakes and abuse.
IMPORT_MAX_SIZE = min(10 * 1024 * 1024, settings.MAX_UPLOAD_SIZE)


class MatterSearchForm(BootstrapFormMixin, forms.Form):
    """Search box and filters of the staff and public catalogue lists (GET).

    Domain and department values are codes, the same values the API's
    ``MatterFilters`` take, so a list URL and an export URL share one query string.
    """

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    domain = forms.ChoiceField(label=_("所属领域"), required=False)
    power_type = forms.ChoiceField(
        label=_("职权类型"), required=False, choices=[("", _("全部职权类型")), *PowerType.choices]
    )
    origin_department = forms.ChoiceField(label=_("实施主体"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *MatterStatus.choices])
    flags = forms.MultipleChoiceField(
        label=_("标记"), required=False, choices=FLAG_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, domains=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("事项编码、名称或法律依据"), "type": "search", "autocomplete": "off"}
        )
        self.fields["domain"].choices = [("", _("全部领域"))] + [(d.code, d.name) for d in domains]
        self.fields["origin_department"].choices = [("", _("全部实施主体"))] + [
            (a.code, a.name) for a in departments
        ]

    @classmethod
    def for_request(cls, data) -> MatterSearchForm:
        """The form with its choices (two queries: domains, origin departments)."""
        domains = list(Domain.objects.only("code", "name"))
        departments = list(
            Agency.objects.filter(originated_matters__isnull=False).distinct().only("code", "name", "sort_order")
        )
        return cls(data, domains=domains, departments=departments)

    def search_args(self) -> tuple[str, MatterFilters]:
        """``(q, filters)`` for ``matter_search``; an invalid value is dropped, not fatal."""
        if not self.is_bound:
            return "", MatterFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        flags = set(data.get("flags") or ())
        filters = MatterFilters(
            domain=data.get("domain") or None,
            power_type=data.get("power_type") or None,
            origin_department=data.get("origin_department") or None,
            status=data.get("status") or None,
            **{name: True for name in FLAG_FIELDS if name in flags},
        )
        return (data.get("q") or "").strip(), filters

    def is_filtered(self) -> bool:
        q, filters = self.search_args()
        return bool(q) or not filters.is_empty()


class CatalogueImportForm(BootstrapFormMixin, forms.Form):
    """Upload of a catalogue spreadsheet (format: the shared catalogue contract)."""

    file = forms.FileField(
        label=_("目录文件"),
        help_text=_("Excel（.xlsx）或 CSV（.csv，UTF-8 编码）文件，表头见导出的目录。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
    )
    sheet = forms.CharField(
        label=_("工作表名称"),
        required=False,
        max_length=100,
        help_text=_("留空则读取第一个工作表；CSV 文件无需填写。"),
    )
    create_missing = forms.BooleanField(
        label=_("自动新建缺失的部门和领域"),
        required=False,
        help_text=_("不勾选时，表中出现系统里没有的实施主体、监管部门或领域的行将作为错误列出。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        ext = Path(upload.name or "").suffix.lower()
        if ext not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(
                _("不支持的文件类型“%(ext)s”，请上传 .xlsx 或 .csv 文件。") % {"ext": ext or _("无扩展名")}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        if upload.size > IMPORT_MAX_SIZE:
            raise forms.ValidationError(
                _("文件过大（%(size)s），上限为 %(max)s。")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(IMPORT_MAX_SIZE)}
            )
        if ext == ".xlsx":
            # An .xlsx is a zip archive: a renamed .xls or text file is refused here, with a clear message.
            head = upload.read(4)
            upload.seek(0)
            if head != b"PK\x03\x04":
                raise forms.ValidationError(
                    _("文件不是有效的 .xlsx 工作簿（旧版 .xls 请在 Excel 中另存为 .xlsx）。")
                )
        return upload
