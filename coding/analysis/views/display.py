"""Data display: matrices counted in the database, heat-map tables, a chart, downloads."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from coding.models import Code
from coding.queries import codebook_rows
from interviews.access import get_membership
from interviews.models import Source

from .. import queries as analysis
from ..forms import filter_form

VIEWS = {
    "case": gettext_lazy("Code × case"),
    "framework": gettext_lazy("Framework matrix"),
    "kind": gettext_lazy("Code × kind of source"),
    "cooccurrence": gettext_lazy("Code co-occurrence"),
    "coder": gettext_lazy("Coder × code"),
    "chart": gettext_lazy("Frequencies per theme"),
}
BUILDERS = {
    "case": analysis.matrix_code_case,
    "framework": analysis.framework_matrix,
    "kind": analysis.matrix_code_kind,
    "cooccurrence": analysis.matrix_cooccurrence,
    "coder": analysis.matrix_coder_code,
}


def _download(matrix, view, fmt, project):
    from coding.tabular import csv_response, xlsx_response  # openpyxl: only for downloads

    header = [_("Code"), *[str(label) for _key, label in matrix.columns], _("Total")]
    rows = []
    for row_id, label, depth, values, total in matrix.table():
        cells = [text or value for _key, value, _shade, text in values]
        if view == "framework":
            cells = [text for _key, _value, _shade, text in values]
        if row_id in matrix.rolled:
            label = _("%(theme)s (total)") % {"theme": label}
        rows.append(["  " * depth + label, *cells, total])
    filename = f"{project.slug}-{view}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [(str(VIEWS[view]), header, rows)])


def theme_chart(project, filters):
    """Bars of passages per code, grouped under their top-level theme (for the SVG)."""
    counts = analysis.frequencies(project, filters)
    groups, current = [], None
    for code, depth in codebook_rows(project):
        if depth == 0:
            current = {"theme": code, "bars": []}
            groups.append(current)
        else:
            current["bars"].append((code, counts.get(code.pk, {}).get("passages", 0)))
    groups = [group for group in groups if group["bars"]]
    peak = max((n for group in groups for _code, n in group["bars"]), default=0) or 1
    y = 0
    for group in groups:
        group["y"] = y
        y += 28
        laid = []
        for code, n in group["bars"]:
            laid.append({"code": code, "n": n, "y": y, "width": round(440 * n / peak, 1)})
            y += 24
        group["bars"] = laid
        y += 10
    return {"groups": groups, "height": y + 10}


@login_required
@require_GET
def display(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    view = request.GET.get("view", "case")
    if view not in VIEWS:
        raise Http404
    form = filter_form(request, membership)
    filters = form.filters(with_code=False)
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "view": view,
        "views": VIEWS.items(),
        "title": VIEWS[view],
        "printing": request.GET.get("print") == "1",
        "keep_view": [("view", view)],
        # Pairs of codings (co-occurrence) and the chart's bars do not add up into themes.
        "skip": "code subcodes themes" if view in {"cooccurrence", "chart"} else "code subcodes",
    }
    if view == "chart":
        context["chart"] = theme_chart(project, filters)
    else:
        if view == "cooccurrence":  # pairs of codings do not add up into themes
            matrix = analysis.matrix_cooccurrence(project, filters)
        else:
            matrix = BUILDERS[view](project, filters, rollup=form.rollup())
        fmt = request.GET.get("format")
        if fmt in {"csv", "xlsx"}:
            return _download(matrix, view, fmt, project)
        context.update(matrix=matrix, table=list(matrix.table()))
    template = (
        "coding/analysis/display_print.html"
        if context["printing"]
        else "coding/analysis/display.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def matrix_cell(request, slug):
    """The top passages behind one cell (shown on hover or focus)."""
    membership = get_membership(request, slug)
    project = membership.project
    form = filter_form(request, membership)
    filters = form.filters(with_code=False)
    codings = analysis.project_codings(project, filters)
    row = request.GET.get("row", "")
    code = Code.objects.filter(project=project, pk=row).first() if row.isdigit() else None
    if code is None:
        raise Http404
    subcodes = request.GET.get("subcodes") == "on"
    codings = codings.filter(code_id__in=analysis.code_filter(code, with_subcodes=subcodes))
    column, key = request.GET.get("col", ""), request.GET.get("key", "")
    if column == "case" and key.isdigit():
        codings = codings.filter(source__cases__pk=key, source__cases__project=project)
    elif column == "kind" and key in Source.Kind.values:
        codings = codings.filter(source__kind=key)
    elif column == "coder" and key.isdigit():
        codings = codings.filter(coder_id=key)
    elif column == "code" and key.isdigit():
        seen = analysis.Filters(visible_coders=filters.visible_coders)
        partners = analysis.project_codings(project, seen).filter(code_id=key)
        codings = codings.filter(
            source__codings__in=partners,
            start__lt=F("source__codings__end"),
            end__gt=F("source__codings__start"),
        )
    top = codings.select_related("source").defer("source__text").distinct().order_by("pk")[:3]
    context = {"membership": membership, "project": project, "codings": top}
    return render(request, "coding/analysis/_cell_peek.html", context)
