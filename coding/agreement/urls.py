"""URL patterns of this part of the coding app (joined into coding.urls, namespace "coding")."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("p/<slug:slug>/agreement/", views.agreement, name="agreement"),
    path(
        "p/<slug:slug>/sources/<int:source_id>/agreement/",
        views.agreement_source,
        name="agreement_source",
    ),
]
