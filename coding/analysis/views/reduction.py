"""Data reduction: retrieve the passages of a code, count them, and condense them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coding.models import Summary
from coding.queries import code_paths, codebook_rows
from interviews.access import can_code, get_membership

from .. import queries as analysis
from ..forms import SummaryForm, filter_form
from ..paging import passage_page

PER_PAGE = 50


@login_required
@require_GET
def retrieval(request, slug):
    """The passages the filters select: of one code, or of every code."""
    membership = get_membership(request, slug)
    project = membership.project
    rows = codebook_rows(project)
    form = filter_form(request, membership, rows)
    code = form.cleaned_data.get("code") if form.is_valid() else None
    paths = code_paths(rows)
    page = passage_page(
        analysis.retrieval(project, form.filters()),
        after=request.GET.get("after"),
        number=request.GET.get("page"),
        per_page=PER_PAGE,
    )
    cases = analysis.cases_by_source(c.source_id for c in page.object_list)
    for coding in page.object_list:
        coding.case_list = cases.get(coding.source_id, [])
        coding.path = paths.get(coding.code_id, coding.code_name)
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "code": code,
        "code_path": paths.get(code.pk, code.name) if code else "",
        "page": page,
        "conclusions": analysis.open_conclusions(project) if membership.can_code else [],
    }
    if code is not None:
        case = form.cleaned_data.get("case")
        summaries = analysis.code_summaries(membership, code, case)
        context.update(
            summary=summaries.get(None),
            case=case,
            case_summary=summaries.get(case.pk) if case else None,
        )
    return render(request, "coding/analysis/retrieval.html", context)


@login_required
@require_GET
def frequencies(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    rows = codebook_rows(project)
    form = filter_form(request, membership, rows)
    counts = analysis.frequencies(project, form.filters(with_code=False), rollup=form.rollup())
    table = [(code, depth, counts.get(code.pk, {})) for code, depth in rows]
    sort = request.GET.get("sort", "")
    if sort in {"passages", "sources", "cases", "coders"}:
        table.sort(key=lambda row: -row[2].get(sort, 0))
    elif sort == "name":
        table.sort(key=lambda row: row[0].name.lower())
    else:
        sort = ""
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "table": table,
        "sort": sort,
        "flat": bool(sort),
    }
    return render(request, "coding/analysis/frequencies.html", context)


@login_required
@require_POST
def summary_save(request, slug):
    """Write (or, with empty text, delete) the summary of a code, or of a code × case."""
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    form = SummaryForm(request.POST, project=project)
    summary = None
    others = form.is_valid() and (
        membership.sees_only_own_work
        and Summary.objects.filter(code=form.cleaned_data["code"], case=form.cleaned_data["case"])
        .exclude(author=request.user)
        .exists()
    )
    if others:
        # Blind coding: another researcher's summary is neither shown nor overwritten.
        form.add_error(None, _("Another researcher wrote this summary."))
    if form.is_valid():
        code, case, text = (form.cleaned_data[k] for k in ("code", "case", "text"))
        if text:
            summary, _created = Summary.objects.update_or_create(
                code=code,
                case=case,
                defaults={"project": project, "text": text, "author": request.user},
            )
        else:
            Summary.objects.filter(code=code, case=case).delete()
        saved = _("Summary saved.")
    elif others:
        saved = _("Another researcher wrote this summary; under blind coding it stays theirs.")
    else:
        saved = _("The summary could not be saved.")
    if request.htmx:
        context = {
            "membership": membership,
            "project": project,
            "summary": summary,
            "code": form.cleaned_data.get("code") if form.is_valid() else None,
            "case": form.cleaned_data.get("case") if form.is_valid() else None,
            "saved": saved,
        }
        return render(request, "coding/analysis/_summary.html", context)
    query = {"code": request.POST.get("code", ""), "case": request.POST.get("case", "")}
    return redirect(f"{reverse('coding:retrieval', args=[slug])}?{urlencode(query)}")
