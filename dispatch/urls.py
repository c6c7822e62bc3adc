from django.urls import path

from dispatch import views, views_command, views_field

app_name = "dispatch"

urlpatterns = [
    path("", views.board, name="board"),
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/export.xlsx", views.ticket_export, name="ticket-export"),
    path("tickets/map/", views_command.ticket_map, name="ticket-map"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/do/<slug:action>/", views.ticket_action, name="ticket-action"),
    path("tickets/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("township-call/", views.township_call, name="township-call"),
    path("inbox/agency/", views.agency_inbox, name="agency-inbox"),
    path("inbox/township/", views.township_inbox, name="township-inbox"),
    path("field/", views.field_report, name="field"),
    path("field/grid/", views_field.grid_report, name="grid-report"),
    path("field/grid/reports/<int:pk>/", views_field.my_report, name="my-report"),
    path("stats/", views.statistics, name="stats"),
    path("stats/charts/<slug:chart>/", views_command.stats_chart, name="stats-chart"),
]
