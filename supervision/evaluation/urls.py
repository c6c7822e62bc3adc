"""Performance evaluation pages, mounted under /supervision/evaluation/ (supervision/urls.py)."""

from django.urls import path

from supervision.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/xlsx/", views.units_xlsx, name="units-xlsx"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/xlsx/", views.ratings_xlsx, name="ratings-xlsx"),
    path("ratings/new/", views.rating_new, name="rating-new"),
    path("ratings/<int:pk>/", views.rating_page, name="rating"),
    path("ratings/<int:pk>/publish/", views.rating_publish, name="rating-publish"),
    path("township/", views.township, name="township"),
    path("township/unit/", views.township_unit, name="township-unit"),
    path("township/officer/", views.township_officer, name="township-officer"),
    path("officers/", views.officers, name="officers"),
    path("officers/me/", views.my_assessment, name="my-assessment"),
    path("officers/<int:pk>/", views.officer_page, name="officer"),
]
