from django.urls import path

from ipsm.exporting import views as export_views

app_name = "exports"

urlpatterns = [
    path("cakupan/<str:code>/ekspor/<str:fmt>/", export_views.coverage_export, name="coverage"),
    path("ekspor/riwayat/", export_views.export_log, name="log"),
]
