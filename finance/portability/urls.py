from django.urls import path

from . import views

urlpatterns = [
    path("settings/export/", views.export_page, name="data_export"),
    path("settings/export/start/", views.export_start, name="data_export_start"),
    path("settings/import/", views.import_start, name="data_import_start"),
    path(
        "settings/export/<uuid:public_id>/download/",
        views.export_download,
        name="data_export_download",
    ),
]
