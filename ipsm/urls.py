from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ipsm import language
from ipsm.audit import views as activity_views
from ipsm.dashboard import printing as print_views
from ipsm.dashboard import reporting as reporting_views
from ipsm.dashboard import views as dashboard

admin.site.site_header = _("IPSM administration")
admin.site.site_title = _("IPSM administration")

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("cakupan/<str:code>/", dashboard.coverage, name="coverage"),
    path("cakupan/<str:code>/tanpa-psm/", dashboard.coverage_without_psm, name="coverage_without_psm"),
    path("cakupan/<str:code>/cetak/", print_views.coverage_sheet, name="coverage_print"),
    path("laporan-bulanan/", reporting_views.reporting_page, name="reporting"),
    path(
        "laporan-bulanan/ekspor/<str:fmt>/",
        reporting_views.reporting_export_view,
        name="reporting_export_nation",
    ),
    path("laporan-bulanan/<str:code>/", reporting_views.reporting_page, name="reporting_region"),
    path(
        "laporan-bulanan/<str:code>/ekspor/<str:fmt>/",
        reporting_views.reporting_export_view,
        name="reporting_export",
    ),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("aktivitas/", activity_views.activity_log, name="activity"),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("ipsm.psm.urls")),
    path("", include("ipsm.notices.urls")),
    path("", include("members.urls")),
    path("", include("members.meetings_urls")),
    path("", include("members.legality_urls")),
    path("", include("members.partners_urls")),
    path("", include("members.programmes_urls")),
    path("", include("cases.urls")),
    path("", include("trainings.urls")),
    path("", include("ipsm.importing.urls")),
    path("", include("ipsm.exporting.urls")),
]

# A database outage gives a friendly 503 page (ipsm.errors); other errors Django's 500.
handler500 = "ipsm.errors.server_error"
