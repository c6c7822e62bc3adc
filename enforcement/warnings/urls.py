"""Warning pages, mounted under /warnings/ (bureau/urls.py)."""

from django.urls import path

from enforcement.warnings import views

app_name = "warnings"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("new/", views.warning_issue, name="issue"),
    path("matters/", views.warning_matter_list, name="matters"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:pk>/", views.warning_page, name="detail"),
    path("<int:pk>/act/<slug:name>/", views.warning_action, name="action"),
    path("<int:pk>/print/", views.warning_print, name="print"),
    path("<int:pk>/pdf/", views.warning_pdf, name="pdf"),
    path("<int:pk>/commitment/", views.commitment_file, name="commitment"),
]
