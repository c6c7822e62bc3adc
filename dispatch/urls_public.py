"""Public report pages under /public/report/ (no login); names are global like the other public pages."""

from django.urls import path

from dispatch import views_command, views_public

urlpatterns = [
    path("", views_public.report_new, name="public-report-new"),
    path("done/<str:token>/", views_public.report_done, name="public-report-done"),
    path("track/", views_public.track, name="public-report-track"),
    path("track/<str:token>/", views_public.track_detail, name="public-report-track-detail"),
    # The county map (township boundaries): the report form's place picker, the screen, the ticket list.
    path("map/", views_command.county_map, name="public-county-map"),
]
