"""Staff pages of the matter catalogue, mounted under /catalogue/ (bureau/urls.py)."""

from django.urls import path

from enforcement.catalogue import views

urlpatterns = [
    path("", views.matter_list, name="catalogue-list"),
    path("export/", views.matter_export, name="catalogue-export"),
    path("import/", views.import_upload, name="catalogue-import"),
    path("import/confirm/", views.import_confirm, name="catalogue-import-confirm"),
    path("import/jobs/<str:job_id>/", views.import_job, name="catalogue-import-job"),
    path("import/jobs/<str:job_id>/progress/", views.import_job_progress, name="catalogue-import-progress"),
    # Last: a matter code is free text (it may even contain "/").
    path("<path:code>/", views.matter_page, name="catalogue-detail"),
]
