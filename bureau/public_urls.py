"""Pages under /public/: no login (ARCHITECTURE.md "Permissions")."""

from django.urls import include, path

from enforcement import views_public
from enforcement.cases import views_public as views_public_cases
from enforcement.catalogue import views_public as views_public_catalogue
from enforcement.inspections import views_public as views_public_inspections

urlpatterns = [
    path("", views_public.index, name="public-index"),
    path("devolution/", include("devolution.urls_public")),
    path("report/", include("dispatch.urls_public")),
    path("catalogue/", views_public_catalogue.matter_list, name="public-catalogue"),
    path("catalogue/<path:code>/", views_public_catalogue.matter_page, name="public-catalogue-detail"),
    path("decisions/", views_public_cases.decision_list, name="public-decisions"),
    path("decisions/<int:pk>/", views_public_cases.decision_page, name="public-decision-detail"),
    path("disclosure/", include("supervision.disclosure.urls_public")),
    path("inspections/", views_public_inspections.result_list, name="public-inspections"),
    path("inspections/<int:pk>/", views_public_inspections.result_page, name="public-inspection-detail"),
]
