"""Django admin for the matter catalogue (imported at the end of enforcement/admin.py).

Matters keep their history (SimpleHistoryAdmin shows it); a matter in use
cannot be deleted here, only repealed (the "废止所选事项" action). The status
is read-only: it changes only by the matter's transitions, offered as the
suspend / reinstate / repeal actions (the catalogue services), and an old
version cannot be reverted to (that would write its status back). Power
grants are read-only: they are written by the catalogue import, the
devolution batches and the grant services, never edited by hand.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from enforcement.catalogue.models import DiscretionTier, Domain, Matter, MatterStatus, PowerGrant
from enforcement.catalogue.selectors import matter_in_use
from enforcement.catalogue.services import matter_reinstate, matter_repeal, matter_suspend
from enforcement.errors import DomainError

# Written only by the status transitions, never by the change form.
STATUS_FIELDS = ("status", "status_changed_on")


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
    actions = ["suspend_selected", "reinstate_selected", "repeal_selected"]
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
        if not change:
            super().save_model(request, obj, form, change)
            return
        obj._history_user = request.user
        # Every field but the status: a status changed meanwhile by a transition is not written back.
        obj.save(update_fields=[
            f.name for f in Matter._meta.concrete_fields if not f.primary_key and f.name not in STATUS_FIELDS
        ])

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves every field of the old version, the status too, past the transition table.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _change_status(self, request, queryset, service, *, reason, done) -> None:
        today = timezone.localdate()
        n = 0
        for matter in queryset:
            try:
                service(matter, on=today, by=request.user, reason=str(reason))
                n += 1
            except DomainError as exc:
                self.message_user(request, f"{matter.code}: {exc}", messages.ERROR)
        self.message_user(request, done % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("暂停所选事项（自今日起）"))
    def suspend_selected(self, request, queryset):
        self._change_status(request, queryset.filter(status=MatterStatus.IN_FORCE), matter_suspend,
                            reason=_("管理后台暂停"), done=_("已暂停 %(n)s 个事项。"))

    @admin.action(description=_("恢复所选事项（自今日起）"))
    def reinstate_selected(self, request, queryset):
        self._change_status(request, queryset.filter(status=MatterStatus.SUSPENDED), matter_reinstate,
                            reason=_("管理后台恢复"), done=_("已恢复 %(n)s 个事项。"))

    @admin.action(description=_("废止所选事项（自今日起）"))
    def repeal_selected(self, request, queryset):
        self._change_status(request, queryset.exclude(status=MatterStatus.REPEALED), matter_repeal,
                            reason=_("管理后台废止"), done=_("已废止 %(n)s 个事项。"))


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
