"""Inter-coder agreement: the table for two coders, and the side-by-side view to reconcile."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coding.models import Coding
from coding.queries import Codebook
from coding.suggest.agreement import machine_coders, machine_name, machine_rows, with_machine_counts
from interviews.access import get_membership
from interviews.models import Source

from .. import compare, queries, services
from ..forms import AgreementForm, CompareForm, PairForm, ReconcileForm

TEMPLATE = "coding/review/agreement.html"
SOURCE_TEMPLATE = "coding/review/agreement_source.html"


def _pair_data(query, coders):
    """The query string, with coders A and B filled in when it names none."""
    data = query.copy()
    ids = [coder.id for coder in coders]
    for key, other in (("a", "b"), ("b", "a")):
        if not data.get(key) and len(ids) >= 2:
            taken = data.get(other, "")
            data[key] = str(next(pk for pk in ids if str(pk) != taken))
    return data


def sees_others(membership) -> bool:
    """Under blind coding researchers see only their own codings: no comparison with others."""
    return not membership.sees_only_own_work


def _names(coders, a_id, b_id) -> tuple[str, str]:
    names = {coder.id: coder.username for coder in coders}
    return names.get(a_id, "?"), names.get(b_id, "?")


# The agreement table


@login_required
@require_GET
def agreement(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    coders = queries.project_coders(project)
    context = {
        "membership": membership,
        "project": project,
        "coders": coders,
        "sees_others": sees_others(membership),
    }
    if not context["sees_others"]:
        return render(request, TEMPLATE, context)
    # A suggestion model's version is one more coder (a negative id): the machine as a coder.
    machines = machine_coders(membership)
    coders = context["coders"] = coders + [
        queries.Coder(pk, machine_name(model), 0) for pk, model in machines.items()
    ]
    if len(coders) < 2:
        return render(request, TEMPLATE, context)
    data = _pair_data(request.GET, coders)
    pair = PairForm(data, coders=coders)
    if not pair.is_valid():
        return render(request, TEMPLATE, {**context, "form": pair})
    a_id, b_id = pair.cleaned_data["a"], pair.cleaned_data["b"]
    sources = queries.source_choices(project, a_id, b_id)
    extra = []
    for side, coder_id in (("a", a_id), ("b", b_id)):
        if coder_id in machines:
            rows = machine_rows(machines[coder_id], [source.id for source in sources])
            sources = with_machine_counts(sources, rows, side=side)
            extra += [(source, code, coder_id, start, end) for source, code, start, end in rows]
    codebook = Codebook(project)
    form = AgreementForm(
        data, coders=coders, source_ids=[s.id for s in sources], code_ids=list(codebook.paths)
    )
    if not form.is_valid():
        return render(request, TEMPLATE, {**context, "form": form})
    chosen = set(form.cleaned_data["sources"]) or {s.id for s in sources if s.both_coded}
    report = queries.agreement_report(
        a_id=a_id,
        b_id=b_id,
        sources=[s for s in sources if s.id in chosen],
        code_ids=form.cleaned_data["codes"] or None,
        threshold=form.cleaned_data["threshold"],
        paths=codebook.paths,
        colours=codebook.colours,
        extra_rows=extra,
    )
    a_name, b_name = _names(coders, a_id, b_id)
    threshold = form.cleaned_data["threshold"]
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return _export(export, project, report, a_name, b_name, threshold)
    chosen_codes = {row.code_id for row in report.codes}
    every = [row.stats for row in report.codes] + [report.overall]
    notes = {stats.note for stats in every if stats.note}
    notes |= {stats.segment_note for stats in every if stats.segment_note}
    context.update(
        form=form,
        a_id=a_id,
        b_id=b_id,
        a_name=a_name,
        b_name=b_name,
        threshold=threshold,
        sources=sources,
        chosen=chosen,
        codes=[(code, depth, code.pk in chosen_codes) for code, depth in codebook.rows],
        chosen_codes=chosen_codes,
        report=report,
        notes=sorted(str(note) for note in notes),
        both_coded=sum(1 for s in sources if s.both_coded),
        machine=a_id in machines or b_id in machines,
    )
    return render(request, TEMPLATE, context)


def _number(value):
    return "" if value is None else float(value)


def _stats_cells(stats) -> list:
    return [
        stats.units,
        stats.a,
        stats.b,
        stats.both,
        _number(stats.percent),
        _number(stats.kappa),
        _number(stats.alpha),
        stats.a_agreed,
        stats.a_passages,
        stats.b_agreed,
        stats.b_passages,
        _number(stats.segment),
        " ".join(str(note) for note in (stats.note, stats.segment_note) if note),
    ]


def export_header(a_name: str, b_name: str) -> list[str]:
    return [
        _("Characters (units)"),
        _("Coded by %(name)s") % {"name": a_name},
        _("Coded by %(name)s") % {"name": b_name},
        _("Coded by both"),
        _("Percent agreement (%)"),
        _("Cohen's kappa"),
        _("Krippendorff's alpha"),
        _("Passages of %(name)s agreed") % {"name": a_name},
        _("Passages of %(name)s") % {"name": a_name},
        _("Passages of %(name)s agreed") % {"name": b_name},
        _("Passages of %(name)s") % {"name": b_name},
        _("Passages agreed (%)"),
        _("Note"),
    ]


def _export(kind, project, report, a_name, b_name, threshold) -> HttpResponse:
    from coding.tabular import csv_response, xlsx_response  # openpyxl: only for downloads

    header = [_("Code"), *export_header(a_name, b_name)]
    rows = [[row.path, *_stats_cells(row.stats)] for row in report.codes]
    rows.append([_("Overall (pooled over codes)"), *_stats_cells(report.overall)])
    filename = f"{project.slug}-agreement-{a_name}-{b_name}"
    if kind == "csv":
        return csv_response(filename, header, rows)
    source_rows = [[row.source.title, *_stats_cells(row.stats)] for row in report.sources]
    about = [
        [_("Coder A"), a_name],
        [_("Coder B"), b_name],
        [_("Passage overlap (%)"), threshold],
        [_("Sources"), len(report.sources)],
        [_("Codes"), len(report.codes)],
        [_("Unit"), _("one character of a chosen source, for one code")],
    ]
    return xlsx_response(
        filename,
        [
            (_("Codes"), header, rows),
            (_("Sources"), [_("Source"), *export_header(a_name, b_name)], source_rows),
            (_("About"), [_("Setting"), _("Value")], about),
        ],
    )


# The side-by-side view of one source


def _source_context(request, membership, source, coders, form):
    project = membership.project
    a_id, b_id = form.cleaned_data["a"], form.cleaned_data["b"]
    a_name, b_name = _names(coders, a_id, b_id)
    query = request.GET.copy()
    for key, value in (("a", a_id), ("b", b_id), ("threshold", form.cleaned_data["threshold"])):
        query[key] = str(value)
    action_url = f"?{query.urlencode()}"  # relative: the page's own path
    pair = {"a": a_id, "b": b_id, "threshold": form.cleaned_data["threshold"]}
    back = reverse("coding:agreement", args=[project.slug]) + "?" + urlencode(pair)
    return {
        "membership": membership,
        "project": project,
        "source": source,
        "coders": coders,
        "form": form,
        "a_id": a_id,
        "b_id": b_id,
        "a_name": a_name,
        "b_name": b_name,
        "threshold": form.cleaned_data["threshold"],
        "action_url": action_url,
        "page_url": request.path + action_url,
        "back_url": back,
    }


@login_required
@require_http_methods(["GET", "POST"])
def agreement_source(request, slug, source_id):
    membership = get_membership(request, slug, allow=sees_others)
    if request.method == "POST" and not membership.can_review:
        raise PermissionDenied
    project = membership.project
    source = get_object_or_404(Source, pk=source_id, project=project)
    coders = queries.project_coders(project, source=source)
    query = request.GET.copy()
    for key in ("a", "b", "threshold"):
        if request.POST.get(key):
            query[key] = request.POST[key]
    form = CompareForm(_pair_data(query, coders), coders=coders)
    if len(coders) < 2 or not form.is_valid():
        context = {"membership": membership, "project": project, "source": source}
        context.update(coders=coders, form=form if len(coders) >= 2 else None)
        return render(request, SOURCE_TEMPLATE, context, status=400 if request.POST else 200)
    context = _source_context(request, membership, source, coders, form)
    codebook = Codebook(project)
    if request.method == "POST":
        return _reconcile(request, context, codebook)
    rows, codes, summary = compare.comparison(
        source,
        codebook,
        context["a_id"],
        context["b_id"],
        context["threshold"],
        only=form.cleaned_data["only"],
    )
    compare.finish_items(rows, source, codebook, context["a_name"], context["b_name"])
    context.update(rows=rows, codes_shown=codes, summary=summary, codebook=codebook)
    return render(request, SOURCE_TEMPLATE, context)


def _group_of(source, ids, a_id, b_id):
    """The codings `ids`, provided they are still exactly one group of overlapping passages."""
    codings = list(Coding.objects.filter(source=source, pk__in=ids).select_related("code"))
    if not codings or len(codings) != len(ids) or len({c.code_id for c in codings}) != 1:
        return None
    code_id = codings[0].code_id
    current = list(
        queries.pair_codings(source, a_id, b_id)
        .filter(code_id=code_id)
        .values_list("pk", "coder_id", "start", "end")
    )
    a = [queries.Passage(pk, s, e) for pk, coder, s, e in current if coder == a_id]
    b = [queries.Passage(pk, s, e) for pk, coder, s, e in current if coder == b_id]
    for group in queries.group_passages(code_id, a, b):
        if ids[0] in group.ids:
            return codings if sorted(group.ids) == sorted(ids) else None
    return None


def _reconcile(request, context, codebook):
    source = context["source"]
    a_id, b_id = context["a_id"], context["b_id"]
    form = ReconcileForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _reconcile_failed(request, context, message)
    data = form.cleaned_data
    codings = _group_of(source, data["codings"], a_id, b_id)
    if codings is None:
        return _reconcile_failed(
            request,
            context,
            _("These passages have changed since the page was shown. Look at them again."),
        )
    users = get_user_model().objects.in_bulk([a_id, b_id])
    a, b = users[a_id], users[b_id]
    actor = request.user
    low = min(c.start for c in codings)
    high = max(c.end for c in codings)
    try:
        match data["action"]:
            case "accept_a":
                services.accept_coding(
                    source=source, codings=codings, accepted=a, other=b, actor=actor
                )
                done = _("%(name)s's coding accepted.") % {"name": context["a_name"]}
            case "accept_b":
                services.accept_coding(
                    source=source, codings=codings, accepted=b, other=a, actor=actor
                )
                done = _("%(name)s's coding accepted.") % {"name": context["b_name"]}
            case "keep":
                services.keep_both(source=source, codings=codings, actor=actor)
                done = _("Both codings kept; marked as reviewed.")
            case _:
                services.merge_codings(
                    source=source,
                    codings=codings,
                    coders=[a, b],
                    start=data["start"],
                    end=data["end"],
                    actor=actor,
                )
                low, high = min(low, data["start"]), max(high, data["end"])
                done = _("Merged into one agreed coding.")
    except ValidationError as error:
        return _reconcile_failed(request, context, error.messages[0])
    if not request.htmx:
        messages.success(request, done)
        return redirect(context["page_url"])
    return _changes(request, context, codebook, (low, high), message=done)


def _reconcile_failed(request, context, message):
    if not request.htmx:
        messages.error(request, message)
        return redirect(context["page_url"])
    return _changes(request, context, codebook=None, within=None, message=message, status=422)


def _changes(request, context, codebook, within, *, message, status=200):
    """The rows a settlement touched, the counts and a status line, as out-of-band swaps."""
    if within is not None:
        source = context["source"]
        rows, codes, summary = compare.comparison(
            source, codebook, context["a_id"], context["b_id"], context["threshold"], within=within
        )
        compare.finish_items(rows, source, codebook, context["a_name"], context["b_name"])
        context.update(rows=rows, codes_shown=codes, summary=summary, codebook=codebook)
    context.update(message=message, error=status != 200)
    return render(request, "coding/review/_changes.html", context, status=status)
