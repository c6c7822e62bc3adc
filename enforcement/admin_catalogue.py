"""Django admin for the matter catalogue (imported at the end of enforcement/admin.py).

Matters keep their history (SimpleHistoryAdmin shows it); a matter in use
cannot be deleted here, only repealed (the "废止所选事项" action). Power
grants are read-only: they are written by the catalogue import, the
devolution batches and the grant services, never edited by hand.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .errors import DomainError
from .models import DiscretionTier, Domain, Matter, MatterStatus, PowerGrant
from .selectors_catalogue import matter_in_use
from .services.catalogue import matter_repeal


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.matters.exists():
            return False
        return super().has_delete_permission(request, obj)


class DiscretionTierInline(admin.TabularInline):
    model = DiscretionTier
    extra = 0
    fields = ["order", "level", "circumstances", "penalty_kinds", "fine_min", "fine_max", "fine_unit"]


class PowerGrantInline(admin.TabularInline):
    model = PowerGrant
    fk_name = "matter"
    extra = 0
    fields = ["township", "holder", "mode", "acting_for", "valid_from", "valid_to", "source_kind", "source_ref"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("township", "holder", "acting_for")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Matter)
class MatterAdmin(SimpleHistoryAdmin):
    list_display = [
        "code", "name", "power_type", "domain", "origin_department", "status",
        "first_offense_exempt", "safety_critical", "in_guidance_catalogue",
    ]
    list_filter = [
        "status", "power_type", "domain", "first_offense_exempt", "safety_critical", "in_guidance_catalogue",
        ("origin_department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "name", "violated_provision", "penalty_provision"]
    list_select_related = ["domain", "origin_department", "supervising_department"]
    autocomplete_fields = ["domain", "origin_department", "supervising_department"]
    readonly_fields = ["status", "status_changed_on", "created_at", "updated_at"]
    history_list_display = ["status"]
    inlines = [DiscretionTierInline, PowerGrantInline]
    actions = ["repeal_selected"]
    fieldsets = [
        (None, {"fields": ["code", "name", "power_type", "domain", "origin_department", "supervising_department"]}),
        (_("法律依据"), {"fields": ["violated_provision", "penalty_provision"]}),
        (_("标记"), {"fields": ["first_offense_exempt", "safety_critical", "in_guidance_catalogue"]}),
        (_("状态与有效期"), {"fields": ["status", "status_changed_on", "valid_from", "valid_to"]}),
        (_("其他"), {"fields": ["remarks", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("code")  # the code is stable
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete would bypass the in-use check; repeal instead.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and matter_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj._change_reason = _("管理后台修改") if change else _("管理后台新增")
        super().save_model(request, obj, form, change)

    @admin.action(description=_("废止所选事项（自今日起）"))
    def repeal_selected(self, request, queryset):
        today = timezone.localdate()
        done = 0
        for matter in queryset.exclude(status=MatterStatus.REPEALED):
            try:
                matter_repeal(matter, on=today, by=request.user, reason=str(_("管理后台废止")))
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{matter.code}: {exc}", messages.ERROR)
        self.message_user(request, _("已废止 %(n)s 个事项。") % {"n": done}, messages.SUCCESS)


@admin.register(PowerGrant)
class PowerGrantAdmin(admin.ModelAdmin):
    """Read-only: grants change only through the services (never edited, never deleted)."""

    list_display = [
        "matter", "township", "holder", "mode", "acting_for", "valid_from", "valid_to", "source_kind", "source_ref",
    ]
    list_filter = ["mode", "source_kind", ("township", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["matter__code", "matter__name", "holder__name", "township__name", "source_ref"]
    list_select_related = ["matter", "township", "holder", "acting_for"]
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
