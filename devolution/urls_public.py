"""Public pages of the devolution app, under /public/devolution/ (no login)."""

from django.urls import path

from devolution import views_public

urlpatterns = [
    path("", views_public.devolved_index, name="public-devolved"),
    path("townships/<str:code>/", views_public.devolved_township, name="public-devolved-township"),
    path("batches/<str:number>/", views_public.public_batch, name="public-devolution-batch"),
]
