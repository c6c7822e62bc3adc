"""Django admin of the devolution app.

Batches and their items change state only through services (the pages and
the API); the admin shows them read-only. Administrators edit the readiness
thresholds (承接能力标准) here.
"""

from __future__ import annotations

from django.contrib import admin

from devolution.models import BatchItem, DevolutionBatch, ReadinessPolicy, ResponsibilityList
from enforcement.admin_base import ReadOnlyAdmin


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    fields = ["matter", "category", "mode", "review_status", "state", "revoked_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DevolutionBatch)
class DevolutionBatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "effective_date", "status", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "title", "county_document_no"]
    list_select_related = ["created_by"]
    inlines = [BatchItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ReadinessPolicy)
class ReadinessPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_certified_staff", "min_legal_reviewers", "grassroots_share_target", "updated_at"]

    def has_add_permission(self, request):
        # One row (pk=1), created on first use with the defaults.
        return not ReadinessPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ReadinessPolicy.load()
        return super().changelist_view(request, extra_context)


@admin.register(ResponsibilityList)
class ResponsibilityListAdmin(ReadOnlyAdmin):
    """Read-only here: departments edit their lists on the responsibility page, which records who and when."""

    list_display = ["matter", "department", "updated_by", "updated_at"]
    list_filter = ["department"]
    search_fields = ["matter__code", "matter__name", "department__name", "duties"]
    list_select_related = ["matter", "department", "updated_by"]
