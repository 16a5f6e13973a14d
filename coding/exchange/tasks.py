"""The exchange's long work as jobs: a project imported, the project or its codings exported.

Each task takes the job's id and runs through `interviews.jobs.run_job`, which keeps the
job's row (what the browser polls) current; whatever an import saves, it saves in one
transaction, so a failed import leaves nothing behind.
"""

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews.importers import ImportFailed
from interviews.jobs import JobFailed, Outcome, run_job
from interviews.models import Job, Membership

from ..models import Coding
from .create import create_project_from_plan
from .pending import delete_pending, load_pending
from .plan import load_plan
from .qdpx_export import export_qdpx
from .safety import ExchangeError
from .tabular import codings_table

# The kind of pending file a confirmed project import hands to its job.
IMPORT_PENDING = "project-job"
# How often (in rows) an export of the codings writes how far it got.
ROWS_PER_COUNT = 1_000


@task()
def import_project(job_id: str) -> None:
    """The confirmed project import: the plan read at the preview becomes a new project."""
    run_job(job_id, _import_project)


def _import_project(job, progress) -> Outcome:
    owner, token = job.created_by, job.params.get("token", "")
    kept = load_pending(owner, IMPORT_PENDING, token)
    if kept is None:
        raise JobFailed(_("The uploaded file is no longer here. Upload it again."))
    try:
        plan = load_plan(kept)
        progress(0, len(plan.sources) + len(plan.codings))
        result = create_project_from_plan(plan=plan, owner=owner, progress=progress)
    except (ExchangeError, ImportFailed) as error:
        raise JobFailed(error.message) from error
    finally:
        delete_pending(owner, IMPORT_PENDING, token)
    project = result.project
    Job.objects.filter(pk=job.pk).update(project=project)
    notes = [
        _(
            "Project imported: %(sources)s sources, %(codes)s codes, %(codings)s codings. "
            "You are its admin."
        )
        % {"sources": len(plan.sources), "codes": len(plan.codes), "codings": len(plan.codings)}
    ]
    if result.placeholders:
        notes.append(
            ngettext(
                "A placeholder coder holds the work of %(names)s; it cannot sign in. Once the "
                "person is a member here, hand the work over to them on the Exchange page.",
                "Placeholder coders hold the work of %(names)s; they cannot sign in. Once a "
                "person is a member here, hand the work over to them on the Exchange page.",
                len(result.placeholders),
            )
            % {"names": ", ".join(result.placeholders)}
        )
    notes += result.messages
    return Outcome(url=project.get_absolute_url(), details={"notes": notes})


@task()
def export_project(job_id: str) -> None:
    """The project as a REFI-QDA project file (.qdpx)."""
    run_job(job_id, _export_project)


def _export_project(job, progress) -> Outcome:
    project = job.project  # one step: the page shows it running, without a count
    try:
        data, warnings = export_qdpx(project)
    except ExchangeError as error:
        raise JobFailed(error.message) from error
    return Outcome(content=data, filename=f"{project.slug}.qdpx", details={"notes": list(warnings)})


@task()
def export_codings(job_id: str) -> None:
    """Every coding of the project the job's starter may see, as CSV or XLSX."""
    run_job(job_id, _export_codings)


def _export_codings(job, progress) -> Outcome:
    from ..tabular import csv_chunks, xlsx_bytes  # openpyxl: only for a workbook

    project, fmt = job.project, job.params.get("format", "csv")
    membership = Membership.objects.get(project=project, user=job.created_by)
    # Under blind coding a researcher exports only their own codings, as on the page.
    coder = job.created_by if membership.sees_only_own_work else None
    visible = Coding.objects.filter(source__project=project)
    total = (visible.filter(coder=coder) if coder else visible).count()
    progress(0, total)
    header, rows = codings_table(project, coder=coder)
    rows = _counted(rows, total, progress)
    filename = f"{project.slug}-codings"
    if fmt == "xlsx":
        return Outcome(
            content=xlsx_bytes([(_("Codings"), header, rows)]), filename=f"{filename}.xlsx"
        )
    return Outcome(content=b"".join(csv_chunks(header, rows)), filename=f"{filename}.csv")


def _counted(rows, total: int, progress):
    """`rows` as they are, writing the count every ROWS_PER_COUNT rows."""
    done = 0
    for done, row in enumerate(rows, 1):
        if done % ROWS_PER_COUNT == 0:
            progress(done, total)
        yield row
    progress(done, max(total, done))
