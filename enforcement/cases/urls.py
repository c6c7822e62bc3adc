"""Case pages, mounted under /cases/ (bureau/urls.py)."""

from django.urls import path

from enforcement.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("townships/", views.township_list, name="townships"),
    path("charts/<slug:chart>/", views.case_chart, name="chart"),
    path("legal-rules/", views.legal_rules_page, name="legal-rules"),
    path("<int:pk>/", views.case_page, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.case_action, name="action"),
    path("<int:pk>/file/", views.case_file, name="file"),
    path("<int:pk>/file/pdf/", views.case_file_download, name="file-pdf"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_page, name="document"),
    path("<int:pk>/documents/<int:doc_pk>/pdf/", views.document_download, name="document-pdf"),
    path("<int:pk>/evidence/<int:ev_pk>/", views.evidence_view, name="evidence"),
    path("<int:pk>/evidence/<int:ev_pk>/download/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/evidence/<int:ev_pk>/replace/", views.evidence_replace, name="evidence-replace"),
    path("<int:pk>/appeals/<int:appeal_pk>/outcome/", views.appeal_outcome, name="appeal-outcome"),
]
