"""URLs of the IPSM's partners (members/views/partners.py)."""

from django.urls import path

from members.views import partners as views

app_name = "partners"

urlpatterns = [
    path("mitra/", views.partner_list, name="list"),
    path("mitra/tambah/", views.partner_create, name="create"),
    path("mitra/ekspor/<str:fmt>/", views.partner_export, name="export"),
    path("mitra/kontribusi/ekspor/<str:fmt>/", views.contribution_export, name="contribution_export"),
    path("mitra/<int:pk>/", views.partner_detail, name="detail"),
    path("mitra/<int:pk>/ubah/", views.partner_edit, name="edit"),
    path("mitra/<int:pk>/kontribusi/", views.contribution_add, name="contribution_add"),
    path("mitra/kontribusi/<int:pk>/", views.contribution_edit, name="contribution"),
    path("mitra/kontribusi/<int:pk>/hapus/", views.contribution_delete, name="contribution_delete"),
]
