"""Django admin for the core models (Chinese verbose names come from the models)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from enforcement.models.agencies import Agency, Certificate, LegalQualification, Membership
from enforcement.models.calendar import CalendarYear, HolidayOverride
from enforcement.models.events import Event
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification
from enforcement.models.outbox import OutboxMessage, OutboxStatus


class ScopedAdminMixin:
    """Admin lists use the same scope as views and the API."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible_to = getattr(qs, "visible_to", None)
        return visible_to(request.user) if visible_to else qs


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "stationed_in", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent", "stationed_in"]
    autocomplete_fields = ["parent", "stationed_in"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "title", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "officer", "issuing_body", "valid_from", "valid_to", "revoked_at"]
    list_filter = ["issuing_body", "revoked_at"]
    search_fields = ["number", "officer__username", "officer__first_name", "officer__last_name"]
    list_select_related = ["officer"]
    autocomplete_fields = ["officer"]
    date_hierarchy = "valid_to"


@admin.register(LegalQualification)
class LegalQualificationAdmin(admin.ModelAdmin):
    """Art. 58(2): first-time legal reviewers must hold the legal professional qualification."""

    list_display = ["officer", "certificate_number", "passed_on"]
    search_fields = ["certificate_number", "officer__username", "officer__first_name", "officer__last_name"]
    list_select_related = ["officer"]
    autocomplete_fields = ["officer"]


@admin.register(Grid)
class GridAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "township", "member"]
    list_filter = ["township"]
    search_fields = ["code", "name", "township__name"]
    list_select_related = ["township", "member"]
    autocomplete_fields = ["township", "member"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The full-process record: readable, never editable or deletable."""

    list_display = [
        "at",
        "content_type",
        "object_id",
        "action",
        "from_state",
        "to_state",
        "actor",
        "actor_agency",
        "is_public",
    ]
    list_filter = ["content_type", "action", "is_public"]
    search_fields = ["note", "action", "actor__username"]
    list_select_related = ["content_type", "actor", "actor_agency"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "reason", "read_at", "emailed_at"]
    list_filter = ["reason", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username", "reason"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "read_at", "emailed_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The outbox backlog: what waits, what failed and why; failed messages can be retried."""

    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at",
                    "sent_at", "short_error"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("立即重试所选消息"), permissions=["view"])
    def retry_now(self, request, queryset):
        from enforcement.outbox import kick, retry

        count = retry(queryset.exclude(status=OutboxStatus.SENT))
        kick()
        self.message_user(request, _("已将 %(count)d 条消息重新排队。") % {"count": count})

    def changelist_view(self, request, extra_context=None):
        from enforcement.outbox import backlog

        extra_context = {**(extra_context or {}), "outbox_backlog": backlog()}
        return super().changelist_view(request, extra_context)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "source"]
    list_filter = ["complete"]


admin.site.empty_value_display = _("（空）")
from enforcement.cases import admin as admin_cases  # noqa: E402,F401
from enforcement.catalogue import admin as admin_catalogue  # noqa: E402,F401
from enforcement.coercion import admin as admin_coercion  # noqa: E402,F401
from enforcement.inspections import admin as admin_inspections  # noqa: E402,F401
from enforcement.warnings import admin as admin_warnings  # noqa: E402,F401
