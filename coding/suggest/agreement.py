"""The machine as a coder: a model version as one side of the agreement page.

A version is a pseudo-coder with the id `-number` (people have positive ids);
its passages are `machine_intervals`, everything it suggests above its default
threshold whether or not someone coded or judged it, so that κ, α and passage
agreement treat it exactly like a person.
"""

from dataclasses import replace

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from interviews.models import Membership, Source

from .access import may_see_model, site_enabled, visible_coder_ids
from .models import SuggestionModel, SuggestionSettings
from .queries import machine_intervals


def machine_coders(membership: Membership) -> dict[int, SuggestionModel]:
    """The model versions this member may compare, by pseudo-coder id, newest first.

    One query (the project switch is read in it); none with SUGGESTIONS_ENABLED=0.
    """
    if not site_enabled():
        return {}
    switched_off = SuggestionSettings.objects.filter(project=OuterRef("project"), enabled=False)
    models = (
        SuggestionModel.objects.filter(project=membership.project)
        .exclude(Exists(switched_off))
        .defer("estimator", "figures", "params", "versions")
        .order_by("-number")
    )
    visible = visible_coder_ids(membership)
    return {-model.number: model for model in models if may_see_model(model, visible)}


def machine_name(model: SuggestionModel) -> str:
    return _("model v%(number)s (suggestions)") % {"number": model.number}


def machine_rows(model: SuggestionModel, source_ids) -> list[tuple[int, int, int, int]]:
    """(source, code, start, end) of every passage the model suggests in those sources.

    One query per source (its stored predictions; a source added after training
    is predicted once, here, and stored).
    """
    rows = []
    for source in Source.objects.filter(pk__in=list(source_ids)).order_by("pk"):
        rows += [
            (source.pk, code_id, start, end)
            for start, end, code_id in machine_intervals(model=model, source=source)
        ]
    return rows


def with_machine_counts(sources: list, rows, *, side: str) -> list:
    """The source choices with the machine's passages counted on `side` ("a" or "b")."""
    counts: dict[int, int] = {}
    for source_id, *_rest in rows:
        counts[source_id] = counts.get(source_id, 0) + 1
    return [replace(source, **{f"{side}_count": counts.get(source.id, 0)}) for source in sources]
