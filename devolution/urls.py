from django.urls import path

from devolution import views, views_powers

app_name = "devolution"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("new/", views.batch_create, name="batch-create"),
    path("<int:pk>/", views.batch_detail, name="batch-detail"),
    path("<int:pk>/edit/", views.batch_edit, name="batch-edit"),
    path("<int:pk>/history/", views.batch_history, name="batch-history"),
    path("<int:pk>/do/<slug:action>/", views.batch_action, name="batch-action"),
    path("<int:pk>/withdraw/", views.batch_withdraw, name="batch-withdraw"),
    path("<int:pk>/revoke/", views.batch_revoke, name="batch-revoke"),
    path("<int:pk>/review/", views.batch_review, name="batch-review"),
    path("<int:pk>/export.xlsx", views.batch_export, name="batch-export"),
    path("<int:pk>/items/new/", views.item_create, name="item-create"),
    path("<int:pk>/packages/new/", views.package_create, name="package-create"),
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement-create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/remove/", views.item_remove, name="item-remove"),
    path("items/<int:pk>/review/", views.item_review, name="item-review"),
    path("items/<int:pk>/revoke/", views.item_revoke, name="item-revoke"),
    path("items/<int:pk>/assessment/", views.item_assessment, name="item-assessment"),
    path("items/<int:pk>/statutory/", views.item_statutory, name="item-statutory"),
    path("power-map/", views_powers.power_map, name="power-map"),
    path("power-map/export.xlsx", views_powers.power_map_export, name="power-map-export"),
    path("power-map/charts/<slug:chart>/", views_powers.power_chart, name="power-chart"),
    path("townships/<int:pk>/", views_powers.township_powers, name="township-powers"),
    path("readiness/", views_powers.readiness, name="readiness"),
    path("responsibilities/", views_powers.responsibility_list, name="responsibilities"),
    path("responsibilities/<int:matter_pk>/edit/", views_powers.responsibility_edit, name="responsibility-edit"),
]
