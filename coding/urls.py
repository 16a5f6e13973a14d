from django.urls import path

from .analysis.urls import urlpatterns as analysis_patterns
from .exchange.urls import urlpatterns as exchange_patterns
from .review.urls import urlpatterns as review_patterns
from .suggest.urls import urlpatterns as suggest_patterns
from .views import codebook, coding_page, memos

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
        "p/<slug:slug>/sources/<int:source_id>/codings/<int:coding_id>/memo/",
        coding_page.coding_memo,
        name="coding_memo",
    ),
    path(
        "p/<slug:slug>/sources/<int:source_id>/undo/",
        coding_page.coding_undo,
        name="coding_undo",
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
    path("p/<slug:slug>/memos/", memos.memo_list, name="memo_list"),
    path("p/<slug:slug>/memos/new/", memos.memo_create, name="memo_create"),
    path("p/<slug:slug>/memos/<int:memo_id>/edit/", memos.memo_edit, name="memo_edit"),
    path("p/<slug:slug>/memos/<int:memo_id>/delete/", memos.memo_delete, name="memo_delete"),
]
# Each package keeps its own patterns; all share the "coding" namespace.
urlpatterns += analysis_patterns + review_patterns + exchange_patterns + suggest_patterns
