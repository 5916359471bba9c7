from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("anggota/", views.member_list, name="list"),
    path("anggota/cari/", views.member_search, name="search"),
    path("anggota/<int:pk>/", views.member_detail, name="detail"),
    path("anggota/<int:pk>/ubah/", views.member_edit, name="edit"),
    path("anggota/<int:pk>/status/", views.member_status, name="status"),
    path("anggota/<int:pk>/mutasi/", views.member_transfer, name="transfer"),
    path("unit/", views.unit_list, name="unit_list"),
    path("unit/tambah/", views.unit_create, name="unit_create"),
    path("unit/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("unit/<int:pk>/ubah/", views.unit_edit, name="unit_edit"),
    path("unit/<int:pk>/roster-diperiksa/", views.unit_confirm_roster, name="unit_confirm_roster"),
    path("unit/<int:unit_pk>/anggota/tambah/", views.member_create, name="create"),
    path("unit/<int:unit_pk>/pengurus/tambah/", views.board_add, name="board_add"),
    path("pengurus/<int:pk>/akhiri/", views.board_end, name="board_end"),
    path("wilayah/<str:code>/", views.region_detail, name="region"),
]
