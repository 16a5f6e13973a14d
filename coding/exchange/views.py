"""Exchange: exports (REFI-QDA, CSV, XLSX, DOCX) and imports, each with a preview first.

An import goes upload -> preview -> confirm (`run_import`). The upload is read once
and shown, never saved; what was read waits in default_storage under a random
token (pending.py) until the confirmation saves it in one transaction (a whole
project: in a job, tasks.import_project).

The whole project's exports are jobs (tasks.py): a POST starts one and opens its
page, which shows the progress and then the download. A GET of the same URL still
answers with the file at once, for scripts and the bench.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from interviews.access import can_code, get_membership, is_admin
from interviews.importers import ImportFailed
from interviews.jobs import start_job
from interviews.models import Job, Membership

from ..models import Code, Coding
from . import imports
from .forms import ConfirmForm, HandOverForm, UploadForm
from .handover import hand_over_work
from .pending import delete_pending, load_pending, save_pending
from .qdc import export_qdc
from .qdpx_export import export_qdpx
from .safety import ExchangeError
from .tabular import codebook_docx, codebook_table, codings_table
from .tasks import export_codings, export_project

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _upload_forms(membership) -> dict:
    if not membership.can_code:
        return {}
    return {
        "codebook_form": UploadForm(extensions=imports.CODEBOOK.extensions, auto_id="codebook_%s"),
        "cases_form": UploadForm(extensions=imports.CASES.extensions, auto_id="cases_%s"),
    }


def _placeholders(project) -> list[Membership]:
    """The project's placeholder coders (imported users), with how much work each holds."""
    return list(
        Membership.objects.filter(project=project, placeholder_guid__isnull=False)
        .select_related("user")
        .annotate(
            coding_count=Count(
                "user__codings",
                filter=Q(user__codings__source__project=project),
                distinct=True,
            )
        )
        .order_by("user__username")
    )


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
        "placeholders": _placeholders(project) if membership.is_admin else [],
        **_upload_forms(membership),
    }
    return render(request, "coding/exchange/exchange.html", context)


# Exports


@login_required
@require_http_methods(["GET", "POST"])
def project_export(request, slug):
    """The project as a QDPX file: a job started by POST, or the file at once by GET."""
    membership = get_membership(request, slug, allow=is_admin)
    project = membership.project
    if request.method == "POST":
        job = start_job(
            task=export_project, kind=Job.Kind.PROJECT_EXPORT, user=request.user, project=project
        )
        return redirect(job.get_absolute_url())
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
@require_http_methods(["GET", "POST"])
def codings_export(request, slug):
    """Every coding as CSV or XLSX: a job started by POST, or streamed at once by GET."""
    from ..tabular import csv_streaming_response, xlsx_response  # openpyxl: downloads only

    membership = get_membership(request, slug)
    project = membership.project
    if request.method == "POST":
        kind = request.POST.get("format", "csv")
        if kind not in {"csv", "xlsx"}:
            raise Http404
        job = start_job(
            task=export_codings,
            kind=Job.Kind.CODINGS_EXPORT,
            user=request.user,
            project=project,
            params={"format": kind},
        )
        return redirect(job.get_absolute_url())
    # Under blind coding a researcher sees only their own codings, here as on the page.
    header, rows = codings_table(
        project, coder=request.user if membership.sees_only_own_work else None
    )
    kind = request.GET.get("format", "csv")
    filename = f"{project.slug}-codings"
    if kind == "csv":
        return csv_streaming_response(filename, header, rows)
    if kind == "xlsx":
        return xlsx_response(filename, [(_("Codings"), header, rows)])
    raise Http404


# Imports: upload -> preview -> confirm, one flow for all (imports.py says what differs).


def _confirmation(request, importer: imports.Importer):
    """(token, format, action) of a valid confirmation of this import's kind, else None."""
    form = ConfirmForm(request.POST)
    if not form.is_valid() or form.cleaned_data["format"] not in importer.formats:
        return None
    return form.cleaned_data


def _confirm(request, importer: imports.Importer, project) -> HttpResponse:
    confirmation = _confirmation(request, importer)
    if confirmation is None:
        raise Http404
    fmt, token = confirmation["format"], confirmation["token"]
    kind = f"{importer.key}-{fmt}"
    back = importer.back(project)
    if confirmation["action"] == "cancel":
        delete_pending(request.user, kind, token)
        messages.info(request, _("Import cancelled. Nothing was saved."))
        return redirect(back)
    kept = load_pending(request.user, kind, token)
    if kept is None:
        messages.error(request, _("The uploaded file is no longer here. Upload it again."))
        return redirect(back)
    try:
        return importer.save(request, project, fmt, kept)
    except (ExchangeError, ImportFailed) as error:
        messages.error(request, error.message)
        return redirect(back)
    finally:
        delete_pending(request.user, kind, token)


def run_import(request, importer: imports.Importer, *, project=None, context=None):
    """The upload form, the preview of an uploaded file, or its confirmation."""
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, importer, project)
    context = dict(context or {})
    form = UploadForm(request.POST or None, request.FILES or None, extensions=importer.extensions)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = importer.format_of(upload.name)
        try:
            preview = importer.preview(project, fmt, upload.read())
        except ExchangeError as error:
            form.add_error("file", error.message)
        else:
            token = None
            if preview.kept is not None:
                token = save_pending(request.user, f"{importer.key}-{fmt}", preview.kept)
            context.update(preview.context, filename=upload.name, format=fmt, token=token)
    context["form"] = form
    return render(request, importer.template, context)


@login_required
@require_http_methods(["GET", "POST"])
def codebook_import(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    context = {"membership": membership, "project": membership.project}
    return run_import(request, imports.CODEBOOK, project=membership.project, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def cases_import(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    context = {"membership": membership, "project": membership.project}
    return run_import(request, imports.CASES, project=membership.project, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request):
    """A REFI-QDA project (.qdpx) or a Taguette project becomes a new project; any user."""
    return run_import(request, imports.PROJECT)


# Placeholder coders


@login_required
@require_http_methods(["GET", "POST"])
def placeholder_handover(request, slug):
    """A project admin hands an imported coder's work over to a member."""
    membership = get_membership(request, slug, allow=is_admin)
    project = membership.project
    initial = {"placeholder": request.GET.get("placeholder")}
    form = HandOverForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        placeholder, member = form.cleaned_data["placeholder"], form.cleaned_data["member"]
        try:
            moved, collapsed = hand_over_work(
                placeholder=placeholder, to=member, actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "%(member)s now holds the work of %(placeholder)s: %(moved)s codings "
                    "handed over, %(collapsed)s that %(member)s already had merged."
                )
                % {
                    "member": member.user.get_username(),
                    "placeholder": placeholder.user.get_username(),
                    "moved": moved,
                    "collapsed": collapsed,
                },
            )
            return redirect("coding:exchange", slug)
    context = {
        "membership": membership,
        "project": project,
        "form": form,
        "placeholders": _placeholders(project),
    }
    return render(request, "coding/exchange/placeholder_handover.html", context)
