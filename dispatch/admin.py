"""Django admin of the dispatch app.

Tickets change only through services (the pages and the API): the admin shows
them read-only. Administrators edit here what a county sets differently: the
time-limit table (办理时限规则), the problem categories (also the Open311
services), the desk rules (退单时限、重复工单判定) and the client systems that
push tickets (接入系统: their channels and keys).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from dispatch.api_intake import CLIENT_GROUP_PREFIX
from dispatch.models import (
    CLIENT_CHANNELS,
    Channel,
    ClientSystem,
    DispatchPolicy,
    SlaRule,
    Ticket,
    TicketCategory,
    TicketExtension,
)
from enforcement.admin_base import ReadOnlyAdmin


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "accept_amount", "accept_unit", "resolve_amount", "resolve_unit", "is_active",
                    "source_note"]
    list_filter = ["is_active", "channel", "priority"]
    list_select_related = ["category"]


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "is_active", "sort_order"]
    list_filter = ["is_active", "domain"]
    search_fields = ["code", "name"]
    list_select_related = ["domain"]
    autocomplete_fields = ["suggested_matters"]


@admin.register(DispatchPolicy)
class DispatchPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "return_window_working_days", "max_returns", "duplicate_radius_m",
                    "duplicate_window_days", "updated_at"]

    def has_add_permission(self, request):
        # One row (pk=1), created with the defaults by the migration or on first use.
        return not DispatchPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "channel", "status", "priority", "township", "responsible_agency", "warning_level",
                    "received_at"]
    list_filter = ["status", "channel", "priority", "warning_level"]
    search_fields = ["=number", "=external_ref"]
    list_select_related = ["township", "responsible_agency"]
    date_hierarchy = "received_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(TicketExtension)
class TicketExtensionAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "amount", "unit", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["ticket", "requested_by", "decided_by"]


# --- client systems (接入系统): hotline platforms and Open311 clients --------------------------------

def _mask(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}" if key else "—"


class ClientSystemForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("可推送的渠道"), choices=[(c.value, c.label) for c in CLIENT_CHANNELS],
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("热线平台选其热线；Open311 客户端选“Open311接口”。不选则不能推送工单。"),
    )

    class Meta:
        model = ClientSystem
        fields = ["username", "first_name", "email", "is_active"]
        labels = {"username": _("系统标识"), "first_name": _("系统名称"), "email": _("技术联系人邮箱")}
        help_texts = {"username": _("字母、数字和 @/./+/-/_，例如 svc-12345")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["channels"].initial = sorted(client_channels(self.instance))


def client_channels(user) -> set[str]:
    """The channels of a client system, from its (prefetched) groups ``intake:<channel>``."""
    prefix = CLIENT_GROUP_PREFIX
    return {g.name[len(prefix):] for g in user.groups.all() if g.name.startswith(prefix)}


@admin.register(ClientSystem)
class ClientSystemAdmin(admin.ModelAdmin):
    """Issue and revoke the keys of the systems that push tickets (the API token; Open311's api_key).

    Saving sets the account's channels (groups ``intake:<channel>``), makes its
    password unusable (a system signs in with its key only) and issues a key
    if it has none; the full key is shown once, in the message after saving.
    "重新签发密钥" replaces the key (the old one stops working at once);
    switching "有效" off stops the system without losing its history.
    """

    form = ClientSystemForm
    list_display = ["username", "first_name", "channel_list", "key_hint", "key_issued", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name"]
    readonly_fields = ["key_hint", "key_issued", "last_login"]
    actions = ["rotate_keys"]

    def get_queryset(self, request):
        clients = Group.objects.filter(name__startswith=CLIENT_GROUP_PREFIX)
        return (
            super().get_queryset(request)
            # In a channel's group, or a keyed account that cannot sign in with a password and
            # belongs to no agency (a system whose channels were all taken away).
            # Staff and administrators are people, never edited here.
            .filter(Q(groups__in=clients) | Q(auth_token__isnull=False, password__startswith="!",
                                              memberships__isnull=True), is_staff=False, is_superuser=False)
            .distinct()
            .select_related("auth_token")
            .prefetch_related("groups")
        )

    @admin.display(description=_("渠道"))
    def channel_list(self, obj) -> str:
        labels = dict(Channel.choices)
        return str(_("、")).join(str(labels[c]) for c in sorted(client_channels(obj)) if c in labels) or "—"

    def _token(self, obj):
        try:
            return obj.auth_token
        except Token.DoesNotExist:
            return None

    @admin.display(description=_("密钥（api_key）"))
    def key_hint(self, obj) -> str:
        token = self._token(obj)
        return _mask(token.key) if token else "—"

    @admin.display(description=_("签发时间"))
    def key_issued(self, obj):
        token = self._token(obj)
        return token.created if token else None

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not change:
                obj.set_unusable_password()
            super().save_model(request, obj, form, change)
            wanted = set(form.cleaned_data.get("channels") or ())
            keep = [g for g in obj.groups.all() if not g.name.startswith(CLIENT_GROUP_PREFIX)]
            groups = [Group.objects.get_or_create(name=f"{CLIENT_GROUP_PREFIX}{c}")[0] for c in sorted(wanted)]
            obj.groups.set([*keep, *groups])
            if self._token(obj) is None:
                token = Token.objects.create(user=obj)
                obj.auth_token = token
                self._tell_key(request, obj, token.key)

    def _tell_key(self, request, obj, key: str) -> None:
        messages.success(request, format_html(
            str(_("“{name}”的密钥：{key}。请现在复制并安全交给对方系统，之后此处只显示其首尾几位。")),
            name=obj.first_name or obj.username, key=format_html('<code data-testid="issued-key">{}</code>', key)))

    @admin.action(description=_("重新签发密钥（旧密钥立即失效）"))
    def rotate_keys(self, request, queryset):
        for obj in queryset:
            with transaction.atomic():
                Token.objects.filter(user=obj).delete()
                token = Token.objects.create(user=obj)
            self._tell_key(request, obj, token.key)
