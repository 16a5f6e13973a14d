from django.urls import path

from .agreement.urls import urlpatterns as agreement_patterns
from .exchange.urls import urlpatterns as exchange_patterns
from .suggest.urls import urlpatterns as suggest_patterns
from .views import (
    codebook,
    coding_page,
    conclusions,
    display,
    memos,
    reduction,
    report,
    review,
)

app_name = "coding"

urlpatterns = [
    path("p/<slug:slug>/codebook/", codebook.codebook, name="codebook"),
    path("p/<slug:slug>/codebook/default/", codebook.codebook_seed, name="codebook_seed"),
    path("p/<slug:slug>/codes/<int:code_id>/", codebook.code_detail, name="code_detail"),
    path("p/<slug:slug>/codes/<int:code_id>/edit/", codebook.code_edit, name="code_edit"),
    path("p/<slug:slug>/codes/<int:code_id>/move/", codebook.code_move, name="code_move"),
    path("p/<slug:slug>/codes/<int:code_id>/merge/", codebook.code_merge, name="code_merge"),
    path("p/<slug:slug>/codes/<int:code_id>/delete/", codebook.code_delete, name="code_delete"),
    path(
        "p/<slug:slug>/sources/<int:source_id>/code/",
        coding_page.source_code,
        name="source_code",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/codings/",
        coding_page.coding_create,
        name="coding_create",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/codings/panel/",
        coding_page.coding_panel,
        name="coding_panel",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/codings/<int:coding_id>/",
        coding_page.coding_edit,
        name="coding_edit",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/events/",
        coding_page.source_events,
        name="source_events",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/history/",
        coding_page.source_history,
        name="source_history",
    ),
    path("p/<slug:slug>/reduction/", reduction.retrieval, name="retrieval"),
    path("p/<slug:slug>/reduction/frequencies/", reduction.frequencies, name="frequencies"),
    path("p/<slug:slug>/reduction/summary/", reduction.summary_save, name="summary_save"),
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
    path("p/<slug:slug>/review/", review.review_queue, name="review_queue"),
    path("p/<slug:slug>/review/feedback/", review.review_feedback, name="review_feedback"),
    path("p/<slug:slug>/review/<int:coding_id>/", review.review_act, name="review_act"),
    path("p/<slug:slug>/memos/", memos.memo_list, name="memo_list"),
    path("p/<slug:slug>/memos/new/", memos.memo_create, name="memo_create"),
    path("p/<slug:slug>/memos/<int:memo_id>/edit/", memos.memo_edit, name="memo_edit"),
    path("p/<slug:slug>/memos/<int:memo_id>/delete/", memos.memo_delete, name="memo_delete"),
]
urlpatterns += agreement_patterns + exchange_patterns
urlpatterns += suggest_patterns
