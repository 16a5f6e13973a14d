"""Project search (reduction stage): find words across the sources, read each hit in
its context, and code the hits in one action."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from coding import services as coding_services
from coding.queries import code_paths, codebook_rows
from interviews.access import can_code, get_membership
from interviews.models import Source

from ..forms import CodeHitsForm, search_form
from ..kwic import MAX_HITS, SORTS, hit_spans, kwic_page, run_search, source_hits
from ..search import QueryError, parse_query
from ..services import apply_codes_batch, plan_codings

TEMPLATE = "coding/analysis/search.html"
MAX_FIND = 5_000  # hits of one source sent to the coding page's find box


def _search(request, membership, rows):
    """The search form, its query and results (None when there is nothing to search)."""
    form = search_form(request, membership, rows)
    query = form.query()
    results = None
    if query is not None:
        where = form.cleaned_data.get("where") or "inside"
        results = run_search(
            project=membership.project, query=query, filters=form.filters(), where=where
        )
    return form, results


def _find_link(typed: str, query) -> str:
    """The search again, for the find box of the coding page a hit links to (which knows
    every word and the regular expressions; not "any word", not exact matching)."""
    if query.exact or query.mode == "any":
        return ""
    params = {"find": typed.strip()}
    if query.mode == "regex":
        params["find_mode"] = "regex"
    return urlencode(params)


def _context(request, membership, rows, form, results, code_form=None):
    project = membership.project
    paths = code_paths(rows)
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "results": results,
        "query_string": request.GET.urlencode(),
        "max_hits": MAX_HITS,
    }
    if results is not None:
        sort = request.GET.get("sort")
        context["sort"] = sort if sort in SORTS else "source"
        context["page"] = kwic_page(results, number=request.GET.get("page"), sort=context["sort"])
        context["find_link"] = _find_link(form.cleaned_data["q"], results.query)
        if membership.can_code:
            context["code_form"] = code_form or CodeHitsForm(project=project, paths=paths)
    return context


@login_required
@require_GET
def search(request, slug):
    membership = get_membership(request, slug)
    rows = codebook_rows(membership.project)
    form, results = _search(request, membership, rows)
    context = _context(request, membership, rows, form, results)
    template = TEMPLATE + "#results" if request.htmx and results is not None else TEMPLATE
    return render(request, template, context)


@login_required
@require_POST
def search_code(request, slug):
    """Preview, then (with the preview's fingerprint) code the ticked or all hits.

    The search itself comes from the query string, as on the search page.
    """
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    rows = codebook_rows(project)
    back = f"{reverse('coding:search', args=[slug])}?{request.GET.urlencode()}"
    form, results = _search(request, membership, rows)
    if results is None:
        messages.error(request, _("Search again: the search could not be run."))
        return redirect(back)
    code_form = CodeHitsForm(request.POST, project=project, paths=code_paths(rows))
    context = _context(request, membership, rows, form, results, code_form)
    status = 200
    if code_form.is_valid():
        data = code_form.cleaned_data
        keys = None if data["all"] else data["hit"]
        hits = hit_spans(results, keys)
        if keys is not None and len(hits) != len(set(keys)):
            code_form.add_error(
                None, _("Some ticked hits are no longer results of this search. Search again.")
            )
        else:
            texts = {source_id: results.text(source_id) for source_id, _s, _e in hits}
            plan = plan_codings(
                code=data["code"], coder=request.user, hits=hits, texts=texts, unit=data["unit"]
            )
            if data["confirm"] and data["confirm"] == plan.fingerprint:
                try:
                    done = apply_codes_batch(code=data["code"], coder=request.user, spans=plan.new)
                except ValidationError as error:
                    code_form.add_error(None, error)
                else:
                    _report(request, done, data["code"])
                    done_url = f"{back}&batch={done.batch}"
                    if request.htmx:
                        return HttpResponseClientRedirect(done_url)
                    return redirect(done_url)
            elif data["confirm"]:
                code_form.add_error(
                    None, _("The results changed since the preview. Check the new preview.")
                )
            context["plan"] = plan
            context["plan_path"] = code_paths(rows).get(data["code"].pk, data["code"].name)
    if code_form.errors:
        status = 422
    template = "coding/analysis/_code_hits.html" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _report(request, done, code) -> None:
    made = ngettext(
        "%(n)d coding of “%(code)s” made.", "%(n)d codings of “%(code)s” made.", len(done.created)
    ) % {"n": len(done.created), "code": code.name}
    if done.skipped:
        made += " " + ngettext(
            "%(n)d passage already had it.", "%(n)d passages already had it.", done.skipped
        ) % {"n": done.skipped}
    messages.success(request, made)


@login_required
@require_POST
def search_undo(request, slug):
    """Undo one "code all hits" (its batch), then back to the search it came from."""
    get_membership(request, slug, allow=can_code)  # members who code, else 404 or 403
    back = request.POST.get("back", "")
    if not back.startswith(reverse("coding:search", args=[slug])):
        back = reverse("coding:search", args=[slug])
    try:
        batch = uuid.UUID(request.POST.get("batch", ""))
        undone = coding_services.reverse_batch(batch=batch, actor=request.user)
    except ValueError:
        messages.error(request, _("There is nothing to undo."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        n = len(undone.spans)
        messages.success(
            request, ngettext("Undone: %(n)d coding.", "Undone: %(n)d codings.", n) % {"n": n}
        )
    return redirect(back)


@login_required
@require_GET
def source_find(request, slug, source_id):
    """The hits of a search in one source, for the coding page's find box.

    The same query language and matching as project search; the answer is the
    hits' spans in code points of the source text (`{"hits": [[start, end], …]}`),
    so the page can reach and highlight hits in windows it has not loaded yet.
    """
    membership = get_membership(request, slug)
    source = get_object_or_404(Source.objects.only("pk"), pk=source_id, project=membership.project)
    mode = "regex" if request.GET.get("mode") == "regex" else "all"
    try:
        query = parse_query(request.GET.get("q", ""), mode=mode)
    except QueryError as error:
        return JsonResponse({"hits": [], "capped": False, "error": str(error)})
    found = source_hits(source.pk, query, limit=MAX_FIND)
    error = ""
    if found.timed_out:
        error = _("The regular expression took too long and was stopped.")
    return JsonResponse({"hits": found.spans, "capped": found.capped, "error": error})
