"""Inspection pages, mounted under /inspections/ (bureau/urls.py)."""

from django.urls import path

from enforcement.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.record_list, name="records"),
    path("field/", views.field, name="field"),
    path("field/record/", views.field_record, name="field-record"),
    path("records/<int:pk>/", views.record_page, name="record"),
    path("records/<int:pk>/act/<slug:name>/", views.record_action, name="record-action"),
    path("records/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("records/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_view, name="attachment"),
    path("records/<int:pk>/print/", views.record_print, name="record-print"),
    path("records/<int:pk>/pdf/", views.record_pdf_view, name="record-pdf"),
    path("objects/", views.object_list, name="objects"),
    path("objects/new/", views.object_create, name="object-create"),
    path("objects/import/", views.object_import, name="object-import"),
    path("objects/<int:pk>/", views.object_page, name="object"),
    path("objects/<int:pk>/edit/", views.object_edit, name="object-edit"),
    path("objects/<int:pk>/close/", views.object_close, name="object-close"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:pk>/check/", views.plan_check, name="plan-check"),
    path("plans/<int:pk>/act/<slug:name>/", views.plan_action, name="plan-action"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("statistics/", views.statistics, name="statistics"),
]
