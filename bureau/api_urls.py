"""One API router: each app's ``api.register(router)`` adds its viewsets."""

from django.urls import path, re_path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from devolution import api as devolution_api
from dispatch import api as dispatch_api
from dispatch import api_intake as dispatch_api_intake
from enforcement import api as enforcement_api
from enforcement.api_base import api_not_found
from enforcement.cases import api as api_cases
from enforcement.catalogue import api as api_catalogue
from enforcement.coercion import api as api_coercion
from enforcement.inspections import api as api_inspections
from enforcement.warnings import api as api_warnings
from supervision import api as supervision_api

# No format-suffix routes (/api/tickets/1/accept.json): actions take no `format`
# argument and answered 500; clients ask for JSON with Accept or ?format=json.
router = DefaultRouter()
router.include_format_suffixes = False
enforcement_api.register(router)
devolution_api.register(router)
api_catalogue.register(router)
api_cases.register(router)
api_inspections.register(router)
api_warnings.register(router)
api_coercion.register(router)
dispatch_api.register(router)
supervision_api.register(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *enforcement_api.extra_urls,
    *devolution_api.extra_urls,
    *api_catalogue.extra_urls,
    *api_cases.extra_urls,
    *api_inspections.extra_urls,
    *api_warnings.extra_urls,
    *dispatch_api.extra_urls,
    *dispatch_api_intake.extra_urls,
    *router.urls,
    # Last: an unknown API path answers 404 in the API's error format.
    re_path(r"^.+$", api_not_found, name="api-not-found"),
]
