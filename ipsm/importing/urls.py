from django.urls import path

from ipsm.importing import views as import_views

app_name = "imports"

urlpatterns = [
    path("impor/<slug:kind_slug>/", import_views.import_start, name="start"),
    path("impor/<slug:kind_slug>/template.xlsx", import_views.import_template, name="template"),
    path("impor/berkas/<int:pk>/", import_views.import_job, name="job"),
    path("impor/berkas/<int:pk>/progres/", import_views.import_progress, name="progress"),
    path("impor/berkas/<int:pk>/impor/", import_views.import_confirm, name="confirm"),
]
