"""Pages under /public/: no login (ARCHITECTURE.md "Permissions")."""

from django.urls import path

from enforcement import views_public

urlpatterns = [
    path("", views_public.index, name="public-index"),
]
