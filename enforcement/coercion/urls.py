"""Pages of coercive measures and enforcements, mounted under /coercion/ (bureau/urls.py)."""

from django.urls import path

from enforcement.coercion import views

app_name = "coercion"

urlpatterns = [
    path("", views.measure_list, name="list"),
    path("new/", views.measure_create, name="create"),
    path("export/", views.measure_export, name="export"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("<int:pk>/", views.measure_page, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.measure_action, name="action"),
    path("<int:pk>/documents/<slug:kind>/", views.measure_document, name="document"),
    path("<int:pk>/documents/<slug:kind>/pdf/", views.measure_document_pdf, name="document-pdf"),
    path("executions/", views.execution_list, name="executions"),
    path("executions/new/", views.execution_create, name="execution-create"),
    path("executions/<int:pk>/", views.execution_page, name="execution-detail"),
    path("executions/<int:pk>/act/<slug:name>/", views.execution_action, name="execution-action"),
    path("executions/<int:pk>/documents/<slug:kind>/", views.execution_document, name="execution-document"),
    path("executions/<int:pk>/documents/<slug:kind>/pdf/", views.execution_document_pdf, name="execution-document-pdf"),
]
