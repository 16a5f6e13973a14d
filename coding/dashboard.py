"""What the coding side adds to the study's pages (registered in `CodingConfig.ready`)."""

from django.db.models import Count

from interviews import extensions

from .models import Code, Coding
from .queries import seen_by


def progress(request, membership) -> dict:
    """Coding progress for the project page: four counts and one row per coder."""
    project = membership.project
    codings = seen_by(membership, Coding.objects.filter(source__project=project))
    coders = list(codings.values("coder__username").annotate(n=Count("id")).order_by("-n"))
    return {
        "code_count": Code.objects.filter(project=project).count(),
        "coding_count": sum(coder["n"] for coder in coders),
        "coded_sources": codings.values("source_id").distinct().count(),
        "source_total": project.sources.count(),
        "coders": coders,
    }


def register() -> None:
    extensions.add_fragment("project_detail", "coding/_progress.html", context=progress)
    extensions.add_fragment("source_detail_actions", "coding/_source_actions.html")
    extensions.add_fragment("project_list_actions", "coding/_project_list_actions.html")
    extensions.set_link("source_work", "coding:source_code")
