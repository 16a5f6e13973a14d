"""Suggestions on the coding page: loaded on demand, judged in place.

The coding page itself pays nothing for them: its toggle (static/suggest_inline.js)
asks for this source's suggestions in a request of their own. Accept and reject
go through the page's write queue like any write of the page: with an
idempotency key, which is also the batch of the coding's history events, so the
page's undo takes an accepted suggestion (or a whole "accept all") back.
"""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coding.queries import code_paths, codebook_rows
from coding.views.coding_page import OUTCOME, answer_write, idempotent

from . import services
from .access import get_suggest_membership, suggestions_on, visible_coder_ids, visible_models
from .estimator import THRESHOLDS
from .forms import AcceptAllForm, DecisionForm, read_threshold
from .models import SuggestionDecision
from .queries import suggestions_for_source
from .retrain import retrain_if_due
from .views import chosen_model, decide_posted, source_of

INLINE = "coding/suggest/_coding_suggestions.html"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


def highlight_css(colours: dict[int, str]) -> str:
    """One ::highlight rule per code: a dotted underline in the code's colour."""
    return "\n".join(
        f"::highlight(sg-{pk}) {{ text-decoration: underline dotted {colour} 2px; }}"
        for pk, colour in colours.items()
        if COLOUR.fullmatch(colour or "")
    )


@suggestions_on
@login_required
@require_GET
def suggestion_inline(request, slug, source_id):
    """This source's open suggestions, as the coding page's toggle shows them."""
    membership = get_suggest_membership(request, slug)
    project = membership.project
    source = source_of(membership, source_id)
    versions = visible_models(membership)
    model = chosen_model(versions, request.GET.get("version"))
    context = {
        "retraining": retrain_if_due(membership, versions[0]) if versions else None,
        "membership": membership,
        "project": project,
        "source": source,
        "model": model,
        "versions": versions,
        "thresholds": THRESHOLDS,
        "inline_url": reverse("coding:suggestion_inline", args=[project.slug, source.pk]),
    }
    if model is not None:
        rows = codebook_rows(project)
        paths = code_paths(rows)
        colours = {code.pk: code.colour for code, _depth in rows}
        threshold = read_threshold(request.GET.get("threshold"), model.threshold)
        found = suggestions_for_source(
            model=model,
            source=source,
            threshold=threshold,
            coder_ids=visible_coder_ids(membership),
            code_ids=set(paths),
        )
        for suggestion in found:
            suggestion.path = paths[suggestion.code_id]
            suggestion.colour = colours[suggestion.code_id]
        used = {suggestion.code_id for suggestion in found}
        css = highlight_css({pk: colour for pk, colour in colours.items() if pk in used})
        context.update(threshold=threshold, found=found, css=css)
    return render(request, INLINE, context)


def _refuse(message: str) -> HttpResponse:
    """A judgement the server will not record: 422 with the reason, as the page's writes."""
    response = HttpResponse(format_html('<p id="write-message">{}</p>', message), status=422)
    response[OUTCOME] = "refused"
    return response


@suggestions_on
@login_required
@require_POST
@idempotent
def suggestion_judge(request, slug, source_id):
    """Accept or reject one suggestion from the coding page; answers like the page's writes."""
    membership = get_suggest_membership(request, slug, allow=lambda m: m.can_code)
    source = source_of(membership, source_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refuse(_("That decision could not be read."))
    try:
        _model, code, decision = decide_posted(
            membership, source, form.cleaned_data, request.user, write_batch=request.write_batch
        )
    except ValidationError as error:
        return _refuse(error.messages[0])
    if decision.verdict == SuggestionDecision.Verdict.REJECTED:
        response = HttpResponse("")
        response[OUTCOME] = "saved"
        return response
    span = [(decision.start, decision.end)]
    return answer_write(request, membership, source, span, codes={code.pk}, fresh={code.pk: 1})


@suggestions_on
@login_required
@require_POST
@idempotent
def suggestion_judge_all(request, slug, source_id):
    """Accept every open suggestion of the source at the threshold: one batch, one undo."""
    membership = get_suggest_membership(request, slug, allow=lambda m: m.can_code)
    source = source_of(membership, source_id)
    form = AcceptAllForm(request.POST)
    if not form.is_valid():
        return _refuse(_("Choose a model version and a threshold."))
    model = chosen_model(visible_models(membership), str(form.cleaned_data["version"]))
    decisions = services.accept_all_suggestions(
        model=model,
        source=source,
        threshold=form.cleaned_data["threshold"],
        user=request.user,
        coder_ids=visible_coder_ids(membership),
        batch=request.write_batch,
    )
    if not decisions:
        return answer_write(
            request,
            membership,
            source,
            [],
            outcome="already",
            message=_("There was nothing to accept."),
        )
    fresh: dict[int, int] = {}
    for decision in decisions:
        fresh[decision.code_id] = fresh.get(decision.code_id, 0) + 1
    spans = [(decision.start, decision.end) for decision in decisions]
    return answer_write(request, membership, source, spans, codes=set(fresh), fresh=fresh)
