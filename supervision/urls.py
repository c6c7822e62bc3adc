"""Case-file review pages, mounted under /supervision/ (bureau/urls.py)."""

from django.urls import include, path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("new/", views.plan_create, name="plan-create"),
    path("my-files/", views.my_files, name="my-files"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.plan_page, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/act/<slug:name>/", views.plan_action, name="plan-action"),
    path("<int:pk>/results/", views.plan_results, name="plan-results"),
    path("<int:pk>/results/pdf/", views.results_pdf, name="results-pdf"),
    path("<int:pk>/results/charts/<slug:chart>/", views.results_chart, name="results-chart"),
    path("<int:pk>/results/xlsx/", views.results_xlsx, name="results-xlsx"),
    path("files/<int:pk>/settle/", views.file_settle, name="file-settle"),
    path("scores/<int:pk>/", views.score_page, name="score"),
    path("scores/<int:pk>/reopen/", views.score_reopen, name="score-reopen"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_page, name="rectification"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("evaluation/", include("supervision.evaluation.urls")),
]
