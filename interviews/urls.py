from django.urls import path

from . import job_views, upload_views, views

app_name = "interviews"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("p/<slug:slug>/", views.project_detail, name="project_detail"),
    path("p/<slug:slug>/settings/", views.project_edit, name="project_edit"),
    path("p/<slug:slug>/members/", views.member_list, name="member_list"),
    path("p/<slug:slug>/members/<int:member_id>/role/", views.member_edit, name="member_edit"),
    path(
        "p/<slug:slug>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("p/<slug:slug>/cases/", views.case_list, name="case_list"),
    path("p/<slug:slug>/cases/new/", views.case_create, name="case_create"),
    path("p/<slug:slug>/cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("p/<slug:slug>/cases/<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("p/<slug:slug>/cases/<int:case_id>/delete/", views.case_delete, name="case_delete"),
    path("p/<slug:slug>/attributes/new/", views.attribute_create, name="attribute_create"),
    path(
        "p/<slug:slug>/attributes/<int:attribute_id>/delete/",
        views.attribute_delete,
        name="attribute_delete",
    ),
    path("p/<slug:slug>/sources/", views.source_list, name="source_list"),
    path("p/<slug:slug>/sources/upload/", upload_views.source_upload, name="source_upload"),
    path("p/<slug:slug>/sources/paste/", views.source_paste, name="source_paste"),
    path("p/<slug:slug>/sources/<int:source_id>/", views.source_detail, name="source_detail"),
    path("p/<slug:slug>/sources/<int:source_id>/edit/", views.source_edit, name="source_edit"),
    path(
        "p/<slug:slug>/sources/<int:source_id>/delete/",
        views.source_delete,
        name="source_delete",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/original/",
        views.source_original,
        name="source_original",
    ),
    path("p/<slug:slug>/sources/<int:source_id>/text/", views.source_text, name="source_text"),
    path("jobs/<uuid:job_id>/", job_views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/download/", job_views.job_download, name="job_download"),
]
