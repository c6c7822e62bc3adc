from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from bureau.files import media_file
from bureau.health import healthz

# The API documentation pages (Swagger UI, Redoc) start their bundles with inline scripts and
# styles: only they may (settings CONTENT_SECURITY_POLICY).
api_docs_csp = csp_update({"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]})

admin.site.site_header = _("综合行政执法局业务系统")
admin.site.site_title = _("综合行政执法局")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Uploaded files (MEDIA_URL), only through a scope check: never a static route, in development neither.
    path("files/<path:name>", media_file, name="media-file"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs_csp(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", api_docs_csp(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("api/", include("bureau.api_urls")),
    path("accounts/", include("enforcement.urls_accounts")),
    path("public/", include("bureau.public_urls")),
    path("open311/v2/", include("dispatch.open311.urls")),
    path("devolution/", include("devolution.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("command/", include("dispatch.urls_command")),
    path("catalogue/", include("enforcement.catalogue.urls")),
    path("cases/", include("enforcement.cases.urls")),
    path("coercion/", include("enforcement.coercion.urls")),
    path("inspections/", include("enforcement.inspections.urls")),
    path("warnings/", include("enforcement.warnings.urls")),
    path("supervision/", include("supervision.urls")),
    path("disclosure/", include("supervision.disclosure.urls")),
    path("", include("enforcement.urls")),
]

if settings.BENCH_CEILING:  # bench/bench_intake.py only: the bare-view ceiling intake is compared with
    from bureau.bench_views import ceiling

    urlpatterns.insert(0, path("bench/ceiling/", ceiling, name="bench-ceiling"))
