"""Public pages of the annual disclosure report, mounted under /public/disclosure/ (bureau/public_urls.py)."""

from django.urls import path

from supervision.disclosure import views_public

urlpatterns = [
    path("", views_public.report_list, name="public-annual-reports"),
    path("<int:year>/", views_public.report_page, name="public-disclosure-report"),
    path("<int:year>/v<int:version>/", views_public.report_page, name="public-disclosure-version"),
    path("<int:year>/pdf/", views_public.report_pdf, name="public-disclosure-pdf"),
    path("<int:year>/v<int:version>/pdf/", views_public.report_pdf, name="public-disclosure-version-pdf"),
    path("<int:year>/xlsx/", views_public.report_xlsx, name="public-disclosure-xlsx"),
    path("<int:year>/v<int:version>/xlsx/", views_public.report_xlsx, name="public-disclosure-version-xlsx"),
]
