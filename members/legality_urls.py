"""URLs of the IPSM's legality (members/views/legality.py)."""

from django.urls import path

from members.views import legality as views

app_name = "legality"

urlpatterns = [
    path("wilayah/<str:code>/legalitas/", views.region_legality, name="region"),
    path(
        "wilayah/<str:code>/legalitas/<slug:daftar>/ekspor/<str:fmt>/",
        views.region_legality_export,
        name="export",
    ),
    path("unit/<int:pk>/sk/unggah/", views.unit_sk_upload, name="unit_sk_upload"),
    path("unit/<int:pk>/sk/berkas/", views.unit_sk_file, name="unit_sk_file"),
    path("unit/<int:pk>/sk-pengurus/tambah/", views.decree_add, name="decree_add"),
    path("sk-pengurus/<int:pk>/berkas/", views.decree_file, name="decree_file"),
    path("anggota/<int:pk>/sk/unggah/", views.member_sk_upload, name="member_sk_upload"),
    path("anggota/<int:pk>/sk/berkas/", views.member_sk_file, name="member_sk_file"),
]
