from django.urls import path

from members.views import accounts as account_views
from members.views import duplicates as duplicate_views
from members.views import exports as export_views
from members.views import history as history_views
from members.views import office as office_views
from members.views import photos as photo_views
from members.views import printing as print_views
from members.views import registry as views

app_name = "members"

urlpatterns = [
    path("anggota/", views.member_list, name="list"),
    path("anggota/cari/", views.member_search, name="search"),
    path("anggota/tambah/", views.member_add, name="add"),
    path("anggota/duplikat/", duplicate_views.duplicate_list, name="duplicates"),
    path("anggota/duplikat/<int:a>-<int:b>/gabungkan/", duplicate_views.member_merge, name="merge"),
    path(
        "anggota/duplikat/<int:a>-<int:b>/bukan-duplikat/",
        duplicate_views.duplicate_dismiss,
        name="dismiss_duplicate",
    ),
    path("anggota/ekspor/<str:fmt>/", export_views.member_export, name="export"),
    path("anggota/<int:pk>/", views.member_detail, name="detail"),
    path("anggota/<int:pk>/ubah/", views.member_edit, name="edit"),
    path("anggota/<int:pk>/status/", views.member_status, name="status"),
    path("anggota/<int:pk>/mutasi/", views.member_transfer, name="transfer"),
    path("anggota/<int:pk>/kartu/", print_views.member_card, name="card"),
    # A PSM's own account (members/accounts.py): POST gives the invitation slip, shown once.
    path("anggota/<int:pk>/akun-psm/", account_views.account_invite, name="account_invite"),
    path("anggota/<int:pk>/foto/", photo_views.member_photo, name="photo"),
    path("anggota/<int:pk>/foto/unggah/", photo_views.member_photo_upload, name="photo_upload"),
    path("anggota/<int:pk>/foto/hapus/", photo_views.member_photo_remove, name="photo_remove"),
    path(
        "anggota/<int:pk>/riwayat/<int:history_id>/pulihkan/",
        history_views.member_restore,
        name="restore",
    ),
    path("unit/", views.unit_list, name="unit_list"),
    path("unit/tambah/", views.unit_create, name="unit_create"),
    path("unit/ekspor/<str:fmt>/", export_views.unit_export, name="unit_export"),
    path("unit/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("unit/<int:pk>/ubah/", views.unit_edit, name="unit_edit"),
    path("unit/<int:pk>/cetak/", print_views.unit_roster, name="unit_print"),
    path("unit/<int:pk>/roster-diperiksa/", views.unit_confirm_roster, name="unit_confirm_roster"),
    path("unit/<int:unit_pk>/anggota/tambah/", views.member_create, name="create"),
    path("unit/<int:unit_pk>/pengurus/tambah/", views.board_add, name="board_add"),
    path("pengurus/<int:pk>/akhiri/", views.board_end, name="board_end"),
    path("wilayah/<str:code>/", views.region_detail, name="region"),
    # The Dinas Sosial of a kab/kota as its print-outs show it (members/views/office.py).
    path("kantor/<str:code>/", office_views.office_profile, name="office"),
    path("kantor/<str:code>/logo/", office_views.office_logo, name="office_logo"),
    # Public: what the QR code on a member card opens (members/print_views.py).
    path("verifikasi/<str:token>/", print_views.verify_card, name="verify"),
]
