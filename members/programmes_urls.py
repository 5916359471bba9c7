"""URLs of the units' work programmes (members/views/programmes.py)."""

from django.urls import path

from members.views import programmes as views

app_name = "programmes"

urlpatterns = [
    path("unit/<int:pk>/program-kerja/", views.unit_programme, name="unit_current"),
    path("unit/<int:pk>/program-kerja/<int:year>/", views.unit_programme, name="unit"),
    path("unit/<int:pk>/program-kerja/<int:year>/mulai/", views.start, name="start"),
    path("program-kerja/<int:pk>/ditetapkan/", views.adopted, name="adopted"),
    path("program-kerja/<int:pk>/kegiatan/baru/", views.activity_add, name="activity_add"),
    path("program-kerja/kegiatan/<int:pk>/", views.activity_detail, name="activity"),
    path("program-kerja/kegiatan/<int:pk>/ubah/", views.activity_edit, name="activity_edit"),
    path("program-kerja/kegiatan/<int:pk>/hapus/", views.activity_remove, name="activity_remove"),
    path("program-kerja/kegiatan/<int:pk>/realisasi/", views.realise, name="realise"),
    path("program-kerja/kegiatan/<int:pk>/batal-realisasi/", views.unrealise, name="unrealise"),
    path("wilayah/<str:code>/program-kerja/", views.region_programmes, name="region"),
    path("wilayah/<str:code>/program-kerja/ekspor/<str:fmt>/", views.region_export, name="region_export"),
]
