"""URL patterns of the analysis stages (joined into coding.urls, namespace "coding")."""

from django.urls import path

from .views import conclusions, display, reduction, report, search, words

urlpatterns: list = [
    path("p/<slug:slug>/reduction/", reduction.retrieval, name="retrieval"),
    path("p/<slug:slug>/reduction/frequencies/", reduction.frequencies, name="frequencies"),
    path("p/<slug:slug>/reduction/summary/", reduction.summary_save, name="summary_save"),
    path("p/<slug:slug>/reduction/search/", search.search, name="search"),
    path("p/<slug:slug>/reduction/search/code/", search.search_code, name="search_code"),
    path("p/<slug:slug>/reduction/search/undo/", search.search_undo, name="search_undo"),
    path("p/<slug:slug>/sources/<int:source_id>/find/", search.source_find, name="source_find"),
    path("p/<slug:slug>/reduction/words/", words.word_frequencies, name="word_frequencies"),
    path("p/<slug:slug>/reduction/words/stop/", words.stop_words_edit, name="stop_words"),
    path("p/<slug:slug>/display/", display.display, name="display"),
    path("p/<slug:slug>/display/cell/", display.matrix_cell, name="matrix_cell"),
    path("p/<slug:slug>/conclusions/", conclusions.conclusion_list, name="conclusion_list"),
    path("p/<slug:slug>/conclusions/new/", conclusions.conclusion_create, name="conclusion_create"),
    path(
        "p/<slug:slug>/conclusions/<int:conclusion_id>/",
        conclusions.conclusion_detail,
        name="conclusion_detail",
    ),
    path(
        "p/<slug:slug>/conclusions/<int:conclusion_id>/edit/",
        conclusions.conclusion_edit,
        name="conclusion_edit",
    ),
    path(
        "p/<slug:slug>/conclusions/<int:conclusion_id>/status/",
        conclusions.conclusion_status,
        name="conclusion_status",
    ),
    path(
        "p/<slug:slug>/conclusions/<int:conclusion_id>/delete/",
        conclusions.conclusion_delete,
        name="conclusion_delete",
    ),
    path(
        "p/<slug:slug>/conclusions/<int:conclusion_id>/evidence/remove/",
        conclusions.evidence_remove,
        name="evidence_remove",
    ),
    path("p/<slug:slug>/evidence/", conclusions.evidence_add, name="evidence_add"),
    path("p/<slug:slug>/report/", report.report, name="report"),
]
