"""The "coded with help of suggestions" filter of retrieval, the displays and the exports.

A coding was made with help of a suggestion when someone accepted a suggestion
that became it (its number is kept on the decision, so an undo and a redo keep
the mark, and a coding made by hand never has it).
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import SuggestionDecision

INCLUDE, EXCLUDE, ONLY = "", "exclude", "only"
CHOICES = [
    (INCLUDE, _("included")),
    (EXCLUDE, _("left out")),
    (ONLY, _("only these")),
]


def _helped():
    return Exists(
        SuggestionDecision.objects.filter(
            coding_number=OuterRef("pk"), verdict=SuggestionDecision.Verdict.ACCEPTED
        )
    )


def narrow_helped(codings: QuerySet, mode: str) -> QuerySet:
    """`codings` with (ONLY) or without (EXCLUDE) the accepted suggestions; INCLUDE: as is."""
    if mode == ONLY:
        return codings.filter(_helped())
    if mode == EXCLUDE:
        return codings.filter(~_helped())
    return codings


def helped_sql(alias: str, mode: str) -> str:
    """The same condition for raw SQL on the coding table aliased `alias` ("" for INCLUDE)."""
    if mode not in {ONLY, EXCLUDE}:
        return ""
    table = SuggestionDecision._meta.db_table
    # Nothing here comes from input: a table name, an alias of ours, a constant.
    found = (
        f"EXISTS (SELECT 1 FROM {table} sd WHERE sd.coding_number = {alias}.id "  # noqa: S608
        f"AND sd.verdict = '{SuggestionDecision.Verdict.ACCEPTED.value}')"
    )
    return f" AND {found}" if mode == ONLY else f" AND NOT {found}"
