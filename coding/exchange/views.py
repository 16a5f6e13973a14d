"""Exchange: exports (REFI-QDA, CSV, XLSX, DOCX) and imports, each with a preview first.

An import goes upload -> preview -> confirm. The upload is read and shown, never
saved; it waits in default_storage under a random token (pending.py) until the
confirmation reads it again and saves everything in one transaction.
"""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from interviews.access import can_code, get_membership, is_admin
from interviews.importers import ImportFailed

from ..models import Code, Coding
from . import csv_import
from .codebook_merge import apply_merge, plan_merge
from .create import create_project_from_plan
from .forms import ConfirmForm, UploadForm
from .pending import delete_pending, load_pending, save_pending
from .plan import coder_rows
from .qdc import export_qdc, read_qdc
from .qdpx_export import export_qdpx
from .qdpx_import import read_qdpx
from .safety import ExchangeError
from .tabular import codebook_docx, codebook_table, codings_table

CODEBOOK_EXTENSIONS = (".qdc", ".xml", ".csv")
CASES_EXTENSIONS = (".csv",)
PROJECT_EXTENSIONS = (".qdpx", ".sqlite3", ".sqlite", ".db")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _upload_forms(membership) -> dict:
    if not membership.can_code:
        return {}
    return {
        "codebook_form": UploadForm(extensions=CODEBOOK_EXTENSIONS, auto_id="codebook_%s"),
        "cases_form": UploadForm(extensions=CASES_EXTENSIONS, auto_id="cases_%s"),
    }


@login_required
@require_GET
def exchange(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    context = {
        "membership": membership,
        "project": project,
        "code_count": Code.objects.filter(project=project).count(),
        "coding_count": Coding.objects.filter(source__project=project).count(),
        **_upload_forms(membership),
    }
    return render(request, "coding/exchange/exchange.html", context)


# Exports


@login_required
@require_GET
def project_export(request, slug):
    membership = get_membership(request, slug, allow=is_admin)
    project = membership.project
    data, warnings = export_qdpx(project)
    for warning in warnings:
        messages.warning(request, warning)
    return _attachment(data, f"{project.slug}.qdpx", "application/zip")


@login_required
@require_GET
def codebook_export(request, slug):
    from ..tabular import csv_response, xlsx_response  # openpyxl: only for downloads

    membership = get_membership(request, slug)
    project = membership.project
    kind = request.GET.get("format", "qdc")
    filename = f"{project.slug}-codebook"
    if kind == "qdc":
        try:
            data = export_qdc(project)
        except ExchangeError as error:
            messages.error(request, error.message)
            return redirect("coding:exchange", slug)
        return _attachment(data, f"{filename}.qdc", "application/xml")
    if kind == "docx":
        docx = codebook_docx(project, membership.visible_coder_ids())
        return _attachment(docx, f"{filename}.docx", DOCX)
    header, rows = codebook_table(project, membership.visible_coder_ids())
    if kind == "csv":
        return csv_response(filename, header, rows)
    if kind == "xlsx":
        return xlsx_response(filename, [(_("Codebook"), header, rows)])
    raise Http404


@login_required
@require_GET
def codings_export(request, slug):
    from ..tabular import csv_response, xlsx_response  # openpyxl: only for downloads

    membership = get_membership(request, slug)
    project = membership.project
    # Under blind coding a researcher sees only their own codings, here as on the page.
    header, rows = codings_table(
        project, coder=request.user if membership.sees_only_own_work else None
    )
    kind = request.GET.get("format", "csv")
    filename = f"{project.slug}-codings"
    if kind == "csv":
        return csv_response(filename, header, rows)
    if kind == "xlsx":
        return xlsx_response(filename, [(_("Codings"), header, rows)])
    raise Http404


# Imports


def _confirmation(request, formats: set[str]):
    """(token, format, action) of a valid confirmation of this view's kind, else None."""
    form = ConfirmForm(request.POST)
    if not form.is_valid() or form.cleaned_data["format"] not in formats:
        return None
    return form.cleaned_data


def _gone(request):
    messages.error(request, _("The uploaded file is no longer here. Upload it again."))


def _codebook_tree(kind: str, data: bytes):
    if kind == "qdc":
        qdc = read_qdc(data)
        return qdc.tree, qdc.notes, []
    tree, errors = csv_import.read_codebook_csv(data)
    return tree, [], errors


@login_required
@require_http_methods(["GET", "POST"])
def codebook_import(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    context = {"membership": membership, "project": project}
    if request.method == "POST" and "token" in request.POST:
        confirmation = _confirmation(request, {"qdc", "csv"})
        if confirmation is None:
            raise Http404
        kind, token = f"codebook-{confirmation['format']}", confirmation["token"]
        if confirmation["action"] == "cancel":
            delete_pending(request.user, kind, token)
            messages.info(request, _("Import cancelled. Nothing was saved."))
            return redirect("coding:exchange", slug)
        data = load_pending(request.user, kind, token)
        if data is None:
            _gone(request)
            return redirect("coding:exchange", slug)
        try:
            tree, _notes, errors = _codebook_tree(confirmation["format"], data)
            if errors:
                raise ExchangeError(_("The file has errors; nothing was saved."))
            plan = apply_merge(project, tree)
        except ExchangeError as error:
            messages.error(request, error.message)
            return redirect("coding:exchange", slug)
        finally:
            delete_pending(request.user, kind, token)
        messages.success(
            request,
            _("Codebook imported: %(added)s added, %(renamed)s renamed, %(updated)s updated.")
            % {
                "added": len(plan.of("add")),
                "renamed": len(plan.of("rename")),
                "updated": len(plan.of("update")),
            },
        )
        return redirect("coding:codebook", slug)

    form = UploadForm(request.POST or None, request.FILES or None, extensions=CODEBOOK_EXTENSIONS)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = "csv" if PurePath(upload.name).suffix.lower() == ".csv" else "qdc"
        data = upload.read()
        try:
            tree, notes, errors = _codebook_tree(kind, data)
        except ExchangeError as error:
            form.add_error("file", error.message)
        else:
            context.update(
                filename=upload.name,
                format=kind,
                plan=plan_merge(project, tree),
                notes=notes,
                errors=errors,
                token=None if errors else save_pending(request.user, f"codebook-{kind}", data),
            )
    context["form"] = form
    return render(request, "coding/exchange/codebook_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cases_import(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    context = {"membership": membership, "project": project}
    if request.method == "POST" and "token" in request.POST:
        confirmation = _confirmation(request, {"csv"})
        if confirmation is None:
            raise Http404
        token = confirmation["token"]
        if confirmation["action"] == "cancel":
            delete_pending(request.user, "cases-csv", token)
            messages.info(request, _("Import cancelled. Nothing was saved."))
            return redirect("coding:exchange", slug)
        data = load_pending(request.user, "cases-csv", token)
        if data is None:
            _gone(request)
            return redirect("coding:exchange", slug)
        try:
            plan = csv_import.apply_cases_csv(project, data)
        except ExchangeError as error:
            messages.error(request, error.message)
            return redirect("coding:exchange", slug)
        finally:
            delete_pending(request.user, "cases-csv", token)
        messages.success(
            request,
            _("Cases imported: %(new)s new, %(updated)s updated, %(attributes)s new attributes.")
            % {
                "new": len(plan.new_cases),
                "updated": len(plan.updated_cases),
                "attributes": len(plan.new_attributes),
            },
        )
        return redirect("interviews:case_list", slug)

    form = UploadForm(request.POST or None, request.FILES or None, extensions=CASES_EXTENSIONS)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            plan = csv_import.plan_cases_csv(project, data)
        except ExchangeError as error:
            form.add_error("file", error.message)
        else:
            context.update(
                filename=upload.name,
                plan=plan,
                token=None if plan.errors else save_pending(request.user, "cases-csv", data),
            )
    context["form"] = form
    return render(request, "coding/exchange/cases_import.html", context)


def _read_project(kind: str, data: bytes):
    from .taguette import read_taguette  # Beautiful Soup: only for this import

    return read_qdpx(data) if kind == "qdpx" else read_taguette(data)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request):
    """A REFI-QDA project (.qdpx) or a Taguette project becomes a new project; any user."""
    if request.method == "POST" and "token" in request.POST:
        confirmation = _confirmation(request, {"qdpx", "taguette"})
        if confirmation is None:
            raise Http404
        kind, token = f"project-{confirmation['format']}", confirmation["token"]
        if confirmation["action"] == "cancel":
            delete_pending(request.user, kind, token)
            messages.info(request, _("Import cancelled. Nothing was saved."))
            return redirect("coding:project_import")
        data = load_pending(request.user, kind, token)
        if data is None:
            _gone(request)
            return redirect("coding:project_import")
        try:
            plan = _read_project(confirmation["format"], data)
            result = create_project_from_plan(plan=plan, owner=request.user)
        except (ExchangeError, ImportFailed) as error:
            messages.error(request, error.message)
            return redirect("coding:project_import")
        finally:
            delete_pending(request.user, kind, token)
        messages.success(
            request,
            _(
                "Project imported: %(sources)s sources, %(codes)s codes, %(codings)s codings. "
                "You are its admin."
            )
            % {
                "sources": len(plan.sources),
                "codes": len(plan.codes),
                "codings": len(plan.codings),
            },
        )
        if result.created_users:
            messages.info(
                request,
                ngettext(
                    "An inactive account was made for a coder in the file: %(names)s.",
                    "Inactive accounts were made for coders in the file: %(names)s.",
                    len(result.created_users),
                )
                % {"names": ", ".join(result.created_users)},
            )
        for message in result.messages:
            messages.info(request, message)
        return redirect(result.project)

    form = UploadForm(request.POST or None, request.FILES or None, extensions=PROJECT_EXTENSIONS)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = "qdpx" if PurePath(upload.name).suffix.lower() == ".qdpx" else "taguette"
        data = upload.read()
        try:
            plan = _read_project(kind, data)
        except ExchangeError as error:
            form.add_error("file", error.message)
        else:
            context.update(
                filename=upload.name,
                format=kind,
                plan=plan,
                coders=coder_rows(plan),
                token=save_pending(request.user, f"project-{kind}", data),
            )
    return render(request, "coding/exchange/project_import.html", context)
