"""Training a project's suggestion model on its own codings, on this server.

Units are the sentences of each paragraph and speaker turn (`units.py`). A unit
is a positive example of a code when one of the code's passages marks it
(`units.covers`), a negative one otherwise; rejected suggestions are negatives
that weigh double. Only sources someone has coded (or judged a suggestion in)
are learned from: a source nobody has read yet says nothing about what is not
a code.

Features are TF-IDF word uni- and bigrams plus character n-grams within words
(they see the shared stem of *koordinasi*, *dikoordinasikan*,
*pengoordinasian*). One logistic regression per code (one-vs-rest). Quality is
measured before anyone relies on it: cross-validation grouped by source (a
source is never in the training and the test part of one fold), with
precision, recall and F1 per code at every threshold offered. A code with fewer
than `MIN_PASSAGES` coded passages, or with passages in one source only (it
cannot be measured), gets no classifier, and the figures say why.

The vocabulary and IDF weights are fitted on the text of all units (no labels):
they are part of reading the project, not of learning its codes.

scikit-learn is imported inside the functions, so that pages that only read
stored suggestions never load it.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from coding.models import Code, Coding
from interviews.models import Project, Source

from .estimator import (
    THRESHOLDS,
    dump_estimator,
    library_versions,
    prediction_rows,
    probabilities,
    text_hash,
)
from .models import SourcePrediction, SuggestionDecision, SuggestionModel
from .units import Unit, text_units, units_marked

MIN_PASSAGES = 8
MAX_FOLDS = 5
REJECTED_WEIGHT = 2.0
WORDS = r"(?u)\b\w+\b"  # one-letter words count too (the default skips them)
NO_EVIDENCE = -20.0  # decision value of a unit whose fold had nothing to learn from
PARAMS = {
    "units": "sentences of paragraphs and speaker turns",
    "word_ngrams": [1, 2],
    "char_wb_ngrams": [3, 5],
    "max_word_features": 50_000,
    "max_char_features": 100_000,
    "sublinear_tf": True,
    "classifier": "one-vs-rest logistic regression (L2, averaged SGD), Platt-calibrated",
    "alpha": 1e-4,
    "max_epochs": 5,
    "rejected_weight": REJECTED_WEIGHT,
    "min_passages": MIN_PASSAGES,
    "cv": "GroupKFold by source",
    "max_folds": MAX_FOLDS,
}

Progress = Callable[[str, float], None]


class NothingToLearn(ValueError):
    """No code has enough coded passages yet; the message says what is missing."""


@dataclass
class Corpus:
    """Every unit of the project's sources, and what the codings say about them."""

    sources: list[Source]
    units: dict[int, list[Unit]]  # source id -> units
    texts: list[str] = field(default_factory=list)  # one per unit, sources in order
    places: list[tuple[int, int, int]] = field(default_factory=list)  # (source, start, end)
    trained_sources: set[int] = field(default_factory=set)


def load_corpus(project_id: int, source_ids: set[int] | None = None) -> Corpus:
    sources = list(Source.objects.filter(project_id=project_id).only("pk", "text").order_by("pk"))
    if source_ids is not None:
        sources = [source for source in sources if source.pk in source_ids]
    corpus = Corpus(sources=sources, units={})
    for source in sources:
        units = text_units(source.text)
        corpus.units[source.pk] = units
        for unit in units:
            corpus.texts.append(source.text[unit.start : unit.end])
            corpus.places.append((source.pk, unit.start, unit.end))
    return corpus


def build_vectorizer(unit_count: int):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = 2 if unit_count >= 500 else 1
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=tuple(PARAMS["word_ngrams"]),
                    token_pattern=WORDS,
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=PARAMS["max_word_features"],
                    dtype=np.float32,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(PARAMS["char_wb_ngrams"]),
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=PARAMS["max_char_features"],
                    dtype=np.float32,
                ),
            ),
        ]
    )


def grouped_folds(groups) -> list[tuple]:
    """Train/test index arrays in which no source (group) is on both sides."""
    from sklearn.model_selection import GroupKFold

    distinct = len(set(groups.tolist()))
    if distinct < 2:
        return []
    splitter = GroupKFold(n_splits=min(MAX_FOLDS, distinct))
    return list(splitter.split(groups, groups=groups))


def _classifier():
    """Logistic regression by averaged SGD: five passes over the units are its budget.

    liblinear's exact fit took about six times longer per code on the bench data
    (the 60 s budget) for nearly the same figures on the generated corpus; the
    Platt step calibrates what SGD gives.
    """
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(
        loss="log_loss",
        alpha=PARAMS["alpha"],
        max_iter=PARAMS["max_epochs"],
        tol=1e-3,
        average=True,
        random_state=0,
    )


def out_of_fold(matrix, y, weights, folds):
    """Each unit's decision value from a classifier that never saw its source."""
    import numpy as np

    decisions = np.full(len(y), NO_EVIDENCE, dtype="float64")
    for train, test in folds:
        if y[train].min() == y[train].max():
            continue  # no positive (or no negative) left to learn from: it suggests nothing
        classifier = _fit(matrix[train], y[train], weights[train])
        decisions[test] = classifier.decision_function(matrix[test])
    return decisions


def _fit(matrix, y, weights):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # The epochs are capped on purpose (see _classifier).
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _classifier().fit(matrix, y, sample_weight=weights)


def platt_scaling(decisions, y) -> tuple[float, float]:
    """(a, b) so that sigmoid(a · decision + b) is a calibrated probability (Platt 1999).

    Fitted on the out-of-fold decisions, as scikit-learn's CalibratedClassifierCV
    (sigmoid, ensemble=False) does; monotonic, so it changes which threshold
    reads as which probability, never the ranking the figures measure.
    """
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return 1.0, 0.0
    fit = LogisticRegression(C=1e4).fit(decisions.reshape(-1, 1), y)
    a, b = float(fit.coef_[0][0]), float(fit.intercept_[0])
    return (a, b) if a > 0 else (1.0, 0.0)


def scores(y, probabilities) -> list[list[float | None]]:
    """[precision, recall, F1] at each threshold; None where undefined (nothing predicted)."""
    positives = int(y.sum())
    grid = []
    for threshold in THRESHOLDS:
        predicted = probabilities >= threshold
        hits = int((predicted & (y == 1)).sum())
        chosen = int(predicted.sum())
        precision = hits / chosen if chosen else None
        recall = hits / positives if positives else None
        f1 = 2 * hits / (chosen + positives) if chosen + positives else None
        grid.append([_round(precision), _round(recall), _round(f1)])
    return grid


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def default_threshold(figures: dict) -> float:
    """The threshold with the best mean F1 over the codes with a classifier.

    Among equally good ones, the one nearest 0.5 (a calibrated "as likely as not").
    """
    trained = [row for row in figures.values() if row["status"] == "trained" and row["grid"]]
    if not trained:
        return 0.5
    mean_f1 = [
        sum(row["grid"][index][2] or 0.0 for row in trained) / len(trained)
        for index in range(len(THRESHOLDS))
    ]
    best = max(mean_f1)
    tied = [THRESHOLDS[i] for i, score in enumerate(mean_f1) if best - score < 1e-9]
    return min(tied, key=lambda threshold: (abs(threshold - 0.5), -threshold))


def _labels(corpus: Corpus, codings, rejections):
    """Per code: the indexes (into `corpus.places`) of the units marked and rejected."""
    first, position = {}, 0
    for source in corpus.sources:
        first[source.pk] = position
        position += len(corpus.units[source.pk])
    result = []
    for rows in (codings, rejections):
        spans: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for source_id, code_id, start, end in rows:
            spans[(code_id, source_id)].append((start, end))
        marked: dict[int, set[int]] = defaultdict(set)
        for (code_id, source_id), found in spans.items():
            offset = first[source_id]
            hits = units_marked(corpus.units[source_id], found)
            marked[code_id].update(offset + index for index in hits)
        result.append(marked)
    return result[0], result[1]


def _code_row(code: Code, passages: set, positives: int) -> dict:
    sources = {source_id for source_id, _start, _end in passages}
    row = {
        "name": code.name,
        "passages": len(passages),
        "units": positives,
        "sources": len(sources),
        "status": "trained",
        "grid": [],
    }
    if len(passages) < MIN_PASSAGES:
        row["status"] = "too_few"
    elif len(sources) < 2:
        row["status"] = "one_source"
    return row


def _training_rows(project_id: int, coder_ids: list[int] | None):
    codings = Coding.objects.filter(source__project_id=project_id)
    decisions = SuggestionDecision.objects.filter(
        project_id=project_id, verdict=SuggestionDecision.Verdict.REJECTED
    )
    if coder_ids is not None:
        codings = codings.filter(coder_id__in=coder_ids)
        decisions = decisions.filter(user_id__in=coder_ids)
    coded = list(codings.values_list("source_id", "code_id", "start", "end"))
    rejected = list(decisions.values_list("source_id", "code_id", "start", "end"))
    return coded, rejected


def train_project_model(
    *,
    project_id: int,
    progress: Progress | None = None,
    coder_ids: list[int] | None = None,
    trained_by=None,
) -> SuggestionModel:
    """Train, cross-validate and store a new model version of a project; returns it.

    `coder_ids` limits what it learns from to those coders' codings and
    decisions (None: everyone's). Raises NothingToLearn when no code qualifies.
    """
    report = progress or (lambda step, fraction: None)
    began = time.perf_counter()
    report("reading", 0.0)
    coded, rejected = _training_rows(project_id, coder_ids)
    codes = list(Code.objects.filter(project_id=project_id).order_by("order", "name", "pk"))
    corpus = load_corpus(project_id)
    corpus.trained_sources = {row[0] for row in coded} | {row[0] for row in rejected}
    positive, negative = _labels(corpus, coded, rejected)
    figures, candidates = _figures_before_training(codes, coded, positive)
    if not candidates:
        raise NothingToLearn(
            _(
                "No code has %(n)s coded passages in at least two sources yet: "
                "code more passages, then train again."
            )
            % {"n": MIN_PASSAGES}
        )
    report("features", 0.1)
    vectorizer = build_vectorizer(len(corpus.texts))
    everything = vectorizer.fit_transform(corpus.texts).tocsr()
    labels = (positive, negative)
    estimator = _fit_codes(corpus, everything, candidates, labels, figures, report)
    estimator["vectorizer"] = vectorizer
    report("saving", 0.9)
    model = _save(
        project_id=project_id,
        estimator=estimator,
        figures=figures,
        corpus=corpus,
        counts=(len({tuple(row) for row in coded}), len(rejected)),
        coder_ids=coder_ids,
        trained_by=trained_by,
        everything=everything,
        began=began,
    )
    report("done", 1.0)
    return model


def _fit_codes(corpus, everything, candidates, labels, figures, report) -> dict:
    """Cross-validate and fit one classifier per candidate code; figures filled in."""
    import numpy as np

    positive, negative = labels
    rows = np.array([i for i, p in enumerate(corpus.places) if p[0] in corpus.trained_sources])
    matrix = everything[rows]
    folds = grouped_folds(np.array([corpus.places[i][0] for i in rows]))
    local = {int(unit): position for position, unit in enumerate(rows)}
    coefficients, intercepts = [], []
    for step, code in enumerate(candidates):
        report("training", 0.2 + 0.7 * step / len(candidates))
        y = np.zeros(len(rows), dtype="int8")
        y[[local[i] for i in positive[code.pk] if i in local]] = 1
        weights = np.ones(len(rows), dtype="float64")
        for i in negative.get(code.pk, ()):
            if i in local and not y[local[i]]:
                weights[local[i]] = REJECTED_WEIGHT
        grid, coef, intercept = _fit_code(matrix, y, weights, folds)
        figures[str(code.pk)]["grid"] = grid
        coefficients.append(coef)
        intercepts.append(intercept)
    return {
        "code_ids": [code.pk for code in candidates],
        "coef": np.vstack(coefficients),
        "intercept": np.array(intercepts, dtype="float32"),
    }


def _fit_code(matrix, y, weights, folds):
    """The figures from grouped cross-validation, then the calibrated classifier on all units."""
    from scipy.special import expit

    decisions = out_of_fold(matrix, y, weights, folds)
    a, b = platt_scaling(decisions, y)
    grid = scores(y, expit(a * decisions + b))
    final = _fit(matrix, y, weights)
    return grid, (a * final.coef_[0]).astype("float32"), a * float(final.intercept_[0]) + b


def _figures_before_training(codes, coded, positive):
    passages: dict[int, set] = defaultdict(set)
    for source_id, code_id, start, end in coded:
        passages[code_id].add((source_id, start, end))
    figures, candidates = {}, []
    for code in codes:
        if code.pk not in passages:
            continue
        row = _code_row(code, passages[code.pk], positives=len(positive.get(code.pk, ())))
        figures[str(code.pk)] = row
        if row["status"] == "trained":
            candidates.append(code)
    return figures, candidates


@transaction.atomic
def _save(
    *,
    project_id,
    estimator,
    figures,
    corpus,
    counts,
    coder_ids,
    trained_by,
    everything,
    began,
):
    Project.objects.select_for_update().get(pk=project_id)  # one new number at a time
    top = SuggestionModel.objects.filter(project_id=project_id).aggregate(m=Max("number"))["m"]
    probs = probabilities(estimator, everything)
    model = SuggestionModel.objects.create(
        project_id=project_id,
        number=(top or 0) + 1,
        trained_by=trained_by,
        coder_ids=coder_ids,
        sources=len(corpus.trained_sources),
        units=sum(1 for place in corpus.places if place[0] in corpus.trained_sources),
        passages=counts[0],
        rejections=counts[1],
        code_ids=estimator["code_ids"],
        params={**PARAMS, "thresholds": THRESHOLDS},
        versions=library_versions(),
        figures=figures,
        threshold=0.5,
        estimator=dump_estimator(estimator),
    )
    model.threshold = default_threshold(figures)
    model.seconds = round(time.perf_counter() - began, 2)
    model.save(update_fields=["threshold", "seconds"])
    position = 0
    predictions = []
    for source in corpus.sources:
        units = corpus.units[source.pk]
        block = probs[position : position + len(units)]
        position += len(units)
        predictions.append(
            SourcePrediction(
                model=model,
                source=source,
                text_hash=text_hash(source.text),
                units=prediction_rows(units, block, estimator["code_ids"]) if units else [],
            )
        )
    SourcePrediction.objects.bulk_create(predictions, batch_size=200)
    return model
