"""The Suggestions page (versions, figures, training, the switch) and one source's suggestions."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from coding.models import Code, Coding
from coding.queries import code_paths, codebook_rows
from interviews.access import get_membership
from interviews.jobs import start_job
from interviews.models import Job, Source

from . import services
from .access import (
    get_suggest_membership,
    project_enabled,
    suggestions_on,
    visible_coder_ids,
    visible_models,
)
from .estimator import THRESHOLDS
from .forms import AcceptAllForm, DecisionForm, SettingsForm, UndoForm, read_threshold
from .models import SuggestionDecision
from .queries import Suggested, suggestions_for_source
from .retrain import retrain_if_due
from .tasks import train_suggestions
from .training import MIN_PASSAGES

PAGE = "coding/suggest/suggestions.html"
SOURCE_PAGE = "coding/suggest/suggestion_source.html"
PER_PAGE = 20


def chosen_model(versions, raw):
    """The version asked for (?version=N), else the newest; 404 for one not visible."""
    if not raw:
        return versions[0] if versions else None
    for model in versions:
        if str(model.number) == raw:
            return model
    raise Http404


def figure_rows(model, rows, threshold: float) -> list[dict]:
    """Per code of the codebook that the model saw: its examples and figures at `threshold`."""
    index = THRESHOLDS.index(threshold) if threshold in THRESHOLDS else None
    paths = code_paths(rows)
    result = []
    for code, _depth in rows:
        row = model.figures.get(str(code.pk))
        if row is None:
            continue
        entry = {**row, "code": code, "path": paths[code.pk], "precision": None}
        if row["status"] == "trained" and row["grid"] and index is not None:
            entry["precision"], entry["recall"], entry["f1"] = row["grid"][index]
            best = max(range(len(THRESHOLDS)), key=lambda i: (row["grid"][i][2] or 0, -i))
            entry["best"] = THRESHOLDS[best] if row["grid"][best][2] else None
        result.append(entry)
    return result


def _passage_counts(membership, rows) -> list[dict]:
    """Before the first model: distinct coded passages per code (what training would see)."""
    codings = Coding.objects.filter(source__project=membership.project)
    visible = visible_coder_ids(membership)
    if visible is not None:
        codings = codings.filter(coder_id__in=visible)
    counts = Counter(
        code_id
        for code_id, *_span in codings.values_list("code_id", "source_id", "start", "end")
        .order_by()
        .distinct()
    )
    paths = code_paths(rows)
    return [
        {"code": code, "path": paths[code.pk], "passages": counts[code.pk]}
        for code, _depth in rows
        if code.pk in counts
    ]


@suggestions_on
@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    enabled = project_enabled(project)
    if request.method == "POST":
        return _suggestions_post(request, membership, enabled)
    if enabled and request.GET.get("training"):
        return _training_progress(request, membership, request.GET["training"])
    versions = visible_models(membership) if enabled else []
    model = chosen_model(versions, request.GET.get("version"))
    rows = codebook_rows(project)
    context = {
        "retraining": retrain_if_due(membership, versions[0]) if versions else None,
        "membership": membership,
        "project": project,
        "enabled": enabled,
        "settings_form": SettingsForm(initial={"enabled": enabled}),
        "versions": versions,
        "model": model,
        "min_passages": MIN_PASSAGES,
        "thresholds": THRESHOLDS,
    }
    if model is not None:
        threshold = read_threshold(request.GET.get("threshold"), model.threshold)
        context.update(
            threshold=threshold,
            figures=figure_rows(model, rows, threshold),
            sources=project.sources.defer("text").order_by("kind", "title"),
            blind=visible_coder_ids(membership) is not None,
        )
    elif enabled:
        context["counts"] = _passage_counts(membership, rows)
    return render(request, PAGE, context)


def _suggestions_post(request, membership, enabled):
    project = membership.project
    action = request.POST.get("action")
    if action == "settings":
        if not membership.is_admin:
            raise PermissionDenied
        form = SettingsForm(request.POST)
        form.is_valid()  # a missing box is "off"; nothing else to go wrong
        on = form.cleaned_data.get("enabled", False)
        services.set_suggestions_enabled(project=project, enabled=on, user=request.user)
        messages.success(request, _("Suggestions are on.") if on else _("Suggestions are off."))
        return redirect("coding:suggestions", project.slug)
    if action != "train" or not enabled:
        raise Http404
    if not membership.can_code:
        raise PermissionDenied
    job = start_job(
        task=train_suggestions, kind=Job.Kind.TRAINING, user=request.user, project=project
    )
    return _training_answer(request, project, job)


def _training_answer(request, project, job):
    """Where a training job leads: its new version, its reason for failing, or its progress."""
    job.refresh_from_db()  # the immediate backend has run it already
    page = reverse("coding:suggestions", args=[project.slug])
    if job.status == Job.Status.DONE:
        messages.success(
            request, _("Model v%(number)s trained.") % {"number": job.params.get("version")}
        )
        url = job.result_url or page
    elif job.status == Job.Status.FAILED:
        messages.error(request, job.message)
        url = page
    else:
        url = f"{page}?{urlencode({'training': job.pk})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _training_job(request, project, raw):
    """The signed-in user's training job of this project (?training=<id>), else 404."""
    try:
        return Job.objects.get(
            pk=raw, kind=Job.Kind.TRAINING, project=project, created_by=request.user
        )
    except (Job.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _training_progress(request, membership, raw):
    job = _training_job(request, membership.project, raw)
    if job.finished:
        return _training_answer(request, membership.project, job)
    context = {
        "membership": membership,
        "project": membership.project,
        "enabled": True,
        "settings_form": SettingsForm(initial={"enabled": True}),
        "job": job,
    }
    return render(request, PAGE + "#training" if request.htmx else PAGE, context)


# One source's suggestions


def _source_context(request, membership, source, *, params=None):
    """What the suggestion list of one source needs: the model, threshold and passages."""
    params = params if params is not None else request.GET
    versions = visible_models(membership)
    model = chosen_model(versions, params.get("version"))
    project = membership.project
    rows = codebook_rows(project)
    context = {
        "membership": membership,
        "project": project,
        "source": source,
        "versions": versions,
        "model": model,
        "thresholds": THRESHOLDS,
        "paths": code_paths(rows),
        "colours": {code.pk: code.colour for code, _depth in rows},
        **_urls(project, source),
    }
    if model is None:
        return context
    threshold = read_threshold(params.get("threshold"), model.threshold)
    found = suggestions_for_source(
        model=model,
        source=source,
        threshold=threshold,
        coder_ids=visible_coder_ids(membership),
        code_ids=set(context["paths"]),
    )
    page = Paginator(found, PER_PAGE).get_page(params.get("page"))
    for suggestion in page.object_list:
        suggestion.path = context["paths"][suggestion.code_id]
        suggestion.colour = context["colours"][suggestion.code_id]
    context.update(threshold=threshold, found=found, page=page, query=_list_query(model, threshold))
    return context


def _list_query(model, threshold) -> str:
    return urlencode({"version": model.number, "threshold": f"{threshold:.2f}"})


def source_of(membership, source_id) -> Source:
    return get_object_or_404(Source, pk=source_id, project=membership.project)


def decide_posted(membership, source, data: dict, user, *, write_batch=None):
    """(model, code, decision) of a valid DecisionForm's `data` (the list page and the
    coding page); raises ValidationError with the reason it cannot be taken."""
    model = chosen_model(visible_models(membership), str(data["version"]))
    code = get_object_or_404(Code, pk=data["code"], project=membership.project)
    decision = services.decide_suggestion(
        model=model,
        source=source,
        code=code,
        start=data["start"],
        end=data["end"],
        verdict=data["verdict"],
        user=user,
        write_batch=write_batch,
    )
    return model, code, decision


@suggestions_on
@login_required
@require_GET
def suggestion_source(request, slug, source_id):
    membership = get_suggest_membership(request, slug)
    source = source_of(membership, source_id)
    context = _source_context(request, membership, source)
    batch = UndoForm(request.GET)
    if batch.is_valid() and membership.can_code:
        context["batch"] = batch.cleaned_data["batch"]
        context["batch_size"] = SuggestionDecision.objects.filter(
            project=membership.project, batch=context["batch"], user=request.user
        ).count()
    template = SOURCE_PAGE + "#list" if request.htmx else SOURCE_PAGE
    return render(request, template, context)


def _back(membership, source, query: str = ""):
    url = reverse("coding:suggestion_source", args=[membership.project.slug, source.pk])
    return redirect(f"{url}?{query}" if query else url)


@suggestions_on
@login_required
@require_POST
def suggestion_decide(request, slug, source_id):
    """Accept or reject one suggested passage (htmx: the item comes back, judged)."""
    membership = get_suggest_membership(request, slug, allow=lambda m: m.can_code)
    source = source_of(membership, source_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _decision_failed(request, membership, source, _("That decision could not be read."))
    try:
        model, code, decision = decide_posted(membership, source, form.cleaned_data, request.user)
    except ValidationError as error:
        return _decision_failed(request, membership, source, error.messages[0])
    query = _list_query(model, read_threshold(request.POST.get("threshold"), model.threshold))
    if not request.htmx:
        messages.success(request, _decision_message(decision))
        return _back(membership, source, query)
    context = _decided_context(membership, source, model, decision, code)
    return render(request, SOURCE_PAGE + "#item", {**context, "query": query})


def _decision_message(decision) -> str:
    if decision.verdict == SuggestionDecision.Verdict.ACCEPTED:
        return _("Suggestion accepted: the passage is coded.")
    return _("Suggestion rejected.")


def _decided_context(membership, source, model, decision, code):
    paths = code_paths(codebook_rows(membership.project))
    item = Suggested(
        decision.start,
        decision.end,
        code.pk,
        decision.probability,
        source.text,
        paths.get(code.pk, code.name),
        code.colour,
    )
    return {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "model": model,
        "suggestion": item,
        "decision": decision,
        **_urls(membership.project, source),
    }


def _urls(project, source) -> dict:
    """Reversed once per page, not once per suggestion."""
    return {
        "decide_url": reverse("coding:suggestion_decide", args=[project.slug, source.pk]),
        "code_url": reverse("coding:source_code", args=[project.slug, source.pk]),
    }


def _decision_failed(request, membership, source, message):
    if request.htmx:
        context = {"membership": membership, "project": membership.project, "error": message}
        response = render(request, SOURCE_PAGE + "#failure", context, status=422)
        return reswap(retarget(response, "#suggest-status"), "innerHTML")
    messages.error(request, message)
    return _back(membership, source)


@suggestions_on
@login_required
@require_POST
def suggestion_accept_all(request, slug, source_id):
    """Accept every suggestion of the source shown at the threshold: one batch, undoable."""
    membership = get_suggest_membership(request, slug, allow=lambda m: m.can_code)
    source = source_of(membership, source_id)
    form = AcceptAllForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a model version and a threshold."))
        return _back(membership, source)
    model = chosen_model(visible_models(membership), str(form.cleaned_data["version"]))
    threshold = form.cleaned_data["threshold"]
    decisions = services.accept_all_suggestions(
        model=model,
        source=source,
        threshold=threshold,
        user=request.user,
        coder_ids=visible_coder_ids(membership),
    )
    query = _list_query(model, threshold)
    if not decisions:
        messages.info(request, _("There was nothing to accept."))
        return _back(membership, source, query)
    messages.success(
        request,
        _("%(n)s suggestions accepted: the passages are coded.") % {"n": len(decisions)},
    )
    return _back(membership, source, f"{query}&batch={decisions[0].batch}")


@suggestions_on
@login_required
@require_POST
def suggestion_undo(request, slug, source_id):
    """Take back one "accept all": its codings are removed again."""
    membership = get_suggest_membership(request, slug, allow=lambda m: m.can_code)
    source = source_of(membership, source_id)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That batch could not be read."))
        return _back(membership, source)
    count = services.undo_batch(
        project=membership.project, batch=form.cleaned_data["batch"], user=request.user
    )
    messages.success(request, _("%(n)s accepted suggestions taken back.") % {"n": count})
    model = chosen_model(visible_models(membership), request.POST.get("version", ""))
    if model is None:
        return _back(membership, source)
    threshold = read_threshold(request.POST.get("threshold"), model.threshold)
    return _back(membership, source, _list_query(model, threshold))
