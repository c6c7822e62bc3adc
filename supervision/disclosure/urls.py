"""Staff pages of the annual disclosure report, mounted under /disclosure/ (bureau/urls.py)."""

from django.urls import path

from supervision.disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("build/", views.build, name="build"),
    path("<int:year>/", views.report_page, name="report"),
    path("<int:year>/v<int:version>/", views.report_page, name="report-version"),
    path("<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("<int:year>/xlsx/", views.report_xlsx, name="xlsx"),
    path("<int:year>/v<int:version>/pdf/", views.report_pdf, name="version-pdf"),
    path("<int:year>/v<int:version>/xlsx/", views.report_xlsx, name="version-xlsx"),
    path("<int:year>/progress/", views.build_progress, name="progress"),
    path("<int:year>/act/<slug:name>/", views.report_action, name="action"),
]
