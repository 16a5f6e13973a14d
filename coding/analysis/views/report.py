from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from interviews.access import get_membership

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_GET
def report(request, slug):
    """The findings report, in the project's language: DOCX or HTML."""
    from ..report import build_report, citation, render_docx  # python-docx: only here

    membership = get_membership(request, slug)
    project = membership.project
    with translation.override(project.language):
        content = build_report(project, coder_ids=membership.visible_coder_ids())
        if request.GET.get("format") == "docx":
            response = HttpResponse(render_docx(content), content_type=DOCX)
            response["Content-Disposition"] = f'attachment; filename="{project.slug}-report.docx"'
            return response
        for _conclusion, _triangulation, evidence in content.conclusions:
            for item in evidence:
                item.citation = citation(item)
        return render(
            request, "coding/analysis/report.html", {"report": content, "project": project}
        )
