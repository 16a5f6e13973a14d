"""URL patterns of this part of the coding app (joined into coding.urls, namespace "coding")."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("p/<slug:slug>/exchange/", views.exchange, name="exchange"),
    path("p/<slug:slug>/exchange/project.qdpx", views.project_export, name="project_export"),
    path("p/<slug:slug>/exchange/codebook/", views.codebook_export, name="codebook_export"),
    path("p/<slug:slug>/exchange/codings/", views.codings_export, name="codings_export"),
    path(
        "p/<slug:slug>/exchange/codebook/import/",
        views.codebook_import,
        name="codebook_import",
    ),
    path("p/<slug:slug>/exchange/cases/import/", views.cases_import, name="cases_import"),
    path(
        "p/<slug:slug>/exchange/hand-over/", views.placeholder_handover, name="placeholder_handover"
    ),
    path("projects/import/", views.project_import, name="project_import"),
]
