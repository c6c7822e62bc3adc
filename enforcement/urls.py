from django.urls import path

from enforcement import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("todo/", views.todo_list, name="todo"),
    path("todo/badge/", views.todo_badge, name="todo-badge"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("grids/", views.grid_list, name="grid-list"),
    path("grids/<int:pk>/", views.grid_detail, name="grid-detail"),
]
