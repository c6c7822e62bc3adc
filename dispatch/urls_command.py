"""The command centre's wall screen, mounted under /command/ (bureau/urls.py)."""

from django.urls import path

from dispatch import views_command

app_name = "command"

urlpatterns = [
    path("screen/", views_command.command_screen, name="screen"),
    path("screen/data/", views_command.screen_data, name="screen-data"),
]
