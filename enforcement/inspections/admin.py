"""Django admin for inspections (imported at the end of enforcement/admin.py).

Joint scenarios (综合查一次场景) are configured here. Objects may be corrected here too;
plans, tasks, records and joint visits are read-only: they change only through the services.
"""

from __future__ import annotations

from django.contrib import admin

from enforcement.admin_base import ReadOnlyAdmin
from enforcement.inspections.models import CheckPlan, InspectionObject, InspectionRecord, JointScenario, JointVisit


@admin.register(JointScenario)
class JointScenarioAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["matters"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "matters":
            from enforcement.catalogue.models import Matter, PowerType

            kwargs["queryset"] = Matter.objects.filter(power_type=PowerType.INSPECTION).order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(InspectionObject)
class InspectionObjectAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "identifier", "township", "risk_level", "credit_level", "is_active"]
    list_filter = ["kind", "risk_level", "credit_level", "is_active", "township"]
    search_fields = ["name", "identifier", "address"]
    list_select_related = ["township"]
    filter_horizontal = ["domains", "matters", "conflicted_officers"]
    raw_id_fields = ["grid"]


@admin.register(CheckPlan)
class CheckPlanAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "lead_agency",
        "status",
        "period_start",
        "period_end",
        "publish_due",
        "published_at",
    ]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    list_select_related = ["lead_agency"]


@admin.register(InspectionRecord)
class InspectionRecordAdmin(ReadOnlyAdmin):
    list_display = ["number", "object", "agency", "checked_on", "outcome", "disposition", "status"]
    list_filter = ["outcome", "disposition", "status"]
    search_fields = ["number", "object__name"]
    list_select_related = ["object", "agency"]
    date_hierarchy = "checked_on"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(JointVisit)
class JointVisitAdmin(ReadOnlyAdmin):
    list_display = ["number", "object", "lead_agency", "planned_on", "status", "agency_count"]
    list_filter = ["status"]
    list_select_related = ["object", "lead_agency"]
