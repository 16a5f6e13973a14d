"""Reads of suggestions: one source's suggested passages, and the machine as a coder.

Predictions are computed once per model version and source (at training, or
on first read for a source added later) and stored; a read is then one row.
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from coding.models import Coding
from interviews.models import Source

from .estimator import load_estimator, prediction_rows, probabilities, text_hash
from .models import SourcePrediction, SuggestionDecision, SuggestionModel
from .units import Unit, merge_runs, text_units, units_marked

CONTEXT = 80  # characters of context either side, as retrieval shows them


@dataclass(slots=True)
class Suggested:
    start: int
    end: int
    code_id: int
    probability: float
    text: str  # the source's whole text (shared, not copied): passages are cut on demand
    path: str = ""  # the code's "Theme › Code" and colour, filled in by the page
    colour: str = ""

    @property
    def passage(self) -> str:
        return self.text[self.start : self.end]

    @property
    def before(self) -> str:
        return self.text[max(0, self.start - CONTEXT) : self.start]

    @property
    def after(self) -> str:
        return self.text[self.end : self.end + CONTEXT]


def predicted_units(*, model: SuggestionModel, source: Source) -> list[list]:
    """The stored rows [start, end, code, p, paragraph, number] of one source, made if missing."""
    digest = text_hash(source.text)
    row = SourcePrediction.objects.filter(model=model, source=source).first()
    if row is not None and row.text_hash == digest:
        return row.units
    units = _predict_source(model, source)
    SourcePrediction.objects.update_or_create(
        model=model, source=source, defaults={"text_hash": digest, "units": units}
    )
    return units


def _predict_source(model: SuggestionModel, source: Source) -> list[list]:
    """Run a stored model on a source it has not seen (loads scikit-learn)."""
    units = text_units(source.text)
    if not units:
        return []
    estimator = load_estimator(model)
    texts = [source.text[unit.start : unit.end] for unit in units]
    probs = probabilities(estimator, estimator["vectorizer"].transform(texts))
    return prediction_rows(units, probs, estimator["code_ids"])


def _above(rows: list[list], threshold: float, code_ids=None) -> list[list]:
    chosen = [row for row in rows if row[3] >= threshold]
    if code_ids is not None:
        chosen = [row for row in chosen if row[2] in code_ids]
    return sorted(chosen, key=lambda row: (row[2], row[0]))


def machine_intervals(
    *, model: SuggestionModel, source: Source, threshold: float | None = None
) -> list[tuple[int, int, int]]:
    """The model as a coder of `source`: (start, end, code id) of every suggested passage.

    Everything above the threshold (the model's default if None), whether or
    not someone coded or judged it, so that agreement compares it like a person.
    """
    threshold = model.threshold if threshold is None else threshold
    rows = _above(predicted_units(model=model, source=source), threshold)
    return [(start, end, code_id) for start, end, code_id, _p in merge_runs(rows)]


def _marked(source: Source, coder_ids: list[int] | None) -> dict[int, list[tuple[int, int]]]:
    """Per code, the passages already coded, or rejected as suggestions, by visible people."""
    codings = Coding.objects.filter(source=source)
    # An accepted suggestion marks its passage by its coding; once that is undone, it is open.
    decisions = SuggestionDecision.objects.filter(
        source=source, verdict=SuggestionDecision.Verdict.REJECTED
    )
    if coder_ids is not None:
        codings = codings.filter(coder_id__in=coder_ids)
        decisions = decisions.filter(user_id__in=coder_ids)
    marked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rows in (codings, decisions):
        for code_id, start, end in rows.values_list("code_id", "start", "end"):
            marked[code_id].append((start, end))
    return marked


def _unmarked(rows: list[list], marked: dict[int, list[tuple[int, int]]]) -> list[list]:
    """The rows (sorted by code, then start) whose unit is not marked with their code."""
    kept: list[list] = []
    for code_id, group in groupby(rows, key=lambda row: row[2]):
        group = list(group)
        spans = marked.get(code_id)
        if not spans:
            kept += group
            continue
        hits = units_marked([Unit(row[0], row[1], row[4]) for row in group], spans)
        kept += [row for index, row in enumerate(group) if index not in hits]
    return kept


def suggestions_for_source(
    *,
    model: SuggestionModel,
    source: Source,
    threshold: float,
    coder_ids: list[int] | None,
    code_ids: set[int] | None = None,
) -> list[Suggested]:
    """Suggested passages of one source above `threshold`, in text order.

    Leaves out units already coded with that code, and units someone judged,
    by the people whose work this member may see (`coder_ids`, None: all).
    """
    marked = _marked(source, coder_ids)
    rows = _above(predicted_units(model=model, source=source), threshold, code_ids)
    rows = _unmarked(rows, marked)
    text = source.text
    found = [
        Suggested(start, end, code_id, probability, text)
        for start, end, code_id, probability in merge_runs(rows)
    ]
    return sorted(found, key=lambda s: (s.start, -s.probability, s.code_id))


def suggested_probability(
    *, model: SuggestionModel, source: Source, code_id: int, start: int, end: int
) -> float | None:
    """The model's probability for a passage made of whole units of one paragraph, else None.

    What a user accepts or rejects must be something the model suggested: its
    start and end are unit boundaries, and the model gave its units this code.
    """
    rows = [
        row
        for row in predicted_units(model=model, source=source)
        if row[2] == code_id and start <= row[0] and row[1] <= end
    ]
    if not rows or min(row[0] for row in rows) != start or max(row[1] for row in rows) != end:
        return None
    if len({row[4] for row in rows}) != 1:
        return None
    numbers = sorted(row[5] for row in rows)
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return None
    return max(row[3] for row in rows)


@dataclass(frozen=True, slots=True)
class AcceptedNote:
    """What an export says of a coding made by accepting a suggestion."""

    text: str
    user: object
    created_at: object


def accepted_notes(project) -> dict[int, AcceptedNote]:
    """Per coding of `project` that is an accepted suggestion: a note naming the model."""
    from django.utils.translation import gettext as _

    decisions = SuggestionDecision.objects.filter(
        project=project,
        verdict=SuggestionDecision.Verdict.ACCEPTED,
        coding_number__in=Coding.objects.filter(source__project=project).values("pk"),
    ).select_related("model", "user")
    notes = {}
    for decision in decisions.order_by("created_at", "pk"):
        text = _("accepted suggestion of model v%(model)s, p = %(p)s") % {
            "model": decision.model.number,
            "p": f"{decision.probability:.2f}",
        }
        notes[decision.coding_number] = AcceptedNote(text, decision.user, decision.created_at)
    return notes
