from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = _("继续教育管理服务平台 · 管理后台")
admin.site.site_title = _("继续教育管理服务平台")

# An API caller gets its 500 as JSON; everyone else the site's page (templates/500.html).
handler500 = "jinan_ce.api.server_error"

urlpatterns = [
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("hours/", include("hours.urls")),
    path("learning/", include("learning.urls")),
    path("filings/", include("filings.urls")),
    path("api/", include("accounts.api_urls")),
    path("api/hours/", include("hours.api_urls")),
    path("api/learning/", include("learning.api_urls")),
    path("api/filings/", include("filings.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
