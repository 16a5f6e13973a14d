"""URL patterns of suggested codes (joined into coding.urls, namespace "coding")."""

from django.urls import path

from . import inline, views

urlpatterns: list = [
    path("p/<slug:slug>/suggestions/", views.suggestions, name="suggestions"),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/",
        views.suggestion_source,
        name="suggestion_source",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/decide/",
        views.suggestion_decide,
        name="suggestion_decide",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/accept-all/",
        views.suggestion_accept_all,
        name="suggestion_accept_all",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/undo/",
        views.suggestion_undo,
        name="suggestion_undo",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/inline/",
        inline.suggestion_inline,
        name="suggestion_inline",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/judge/",
        inline.suggestion_judge,
        name="suggestion_judge",
    ),
    path(
        "p/<slug:slug>/suggestions/sources/<int:source_id>/judge-all/",
        inline.suggestion_judge_all,
        name="suggestion_judge_all",
    ),
]
