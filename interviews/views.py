from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    ValidationError,
)
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .access import can_code, get_membership, is_admin
from .forms import (
    AttributeForm,
    CaseForm,
    MemberAddForm,
    ProjectForm,
    RoleForm,
    SourceMetaForm,
    SourcePasteForm,
)
from .importers import (
    ImportFailed,
)
from .models import Attribute, Case, Membership, Source
from .reading import paragraphs
from .windows import line_start, window_at

KIND_PLURALS = [
    (Source.Kind.INTERVIEW, gettext_lazy("Interviews")),
    (Source.Kind.OBSERVATION, gettext_lazy("Observation notes")),
    (Source.Kind.DOCUMENT, gettext_lazy("Documents")),
]

# Projects


@login_required
@require_GET
def project_list(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(source_count=Count("project__sources", distinct=True))
        .order_by("project__name")
    )
    return render(request, "interviews/project_list.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None)
    if form.is_valid():
        project = services.create_project(
            name=form.cleaned_data["name"],
            slug=services.unique_slug(form.cleaned_data["name"]),
            description=form.cleaned_data["description"],
            language=form.cleaned_data["language"],
            creator=request.user,
        )
        messages.success(request, _("Project created. You are its admin."))
        return redirect(project)
    return render(request, "interviews/project_form.html", {"form": form})


@login_required
@require_GET
def project_detail(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    kinds = dict(
        project.sources.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    source_counts = [(value, label, kinds.get(value, 0)) for value, label in KIND_PLURALS]
    context = {
        "membership": membership,
        "project": project,
        "source_counts": source_counts,
        "source_total": sum(kinds.values()),
        "case_count": project.cases.count(),
        "member_count": project.memberships.count(),
        "recent_sources": project.sources.defer("text").order_by("-created_at")[:5],
    }
    return render(request, "interviews/project_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, slug):
    membership = get_membership(request, slug, allow=is_admin)
    form = ProjectForm(request.POST or None, instance=membership.project)
    if form.is_valid():
        form.save()
        messages.success(request, _("Project settings saved."))
        return redirect(membership.project)
    return render(
        request,
        "interviews/project_form.html",
        {"form": form, "membership": membership, "project": membership.project},
    )


# Members


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if not membership.is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_member(
                    project=project,
                    user=form.cleaned_data["username"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                form.add_error("username", error)
            else:
                messages.success(request, _("Member added."))
                return redirect("interviews:member_list", slug)
    members = project.memberships.select_related("user")
    context = {
        "membership": membership,
        "project": project,
        "members": members,
        "form": form,
        "roles": Membership.Role.choices,
    }
    return render(request, "interviews/member_list.html", context)


@login_required
@require_POST
def member_edit(request, slug, member_id):
    membership = get_membership(request, slug, allow=is_admin)
    target = get_object_or_404(Membership, pk=member_id, project=membership.project)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership=target, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("interviews:member_list", slug)


@login_required
@require_POST
def member_remove(request, slug, member_id):
    membership = get_membership(request, slug, allow=is_admin)
    target = get_object_or_404(Membership, pk=member_id, project=membership.project)
    try:
        services.remove_member(membership=target)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Member removed."))
    if target.user_id == request.user.id:
        return redirect("interviews:project_list")
    return redirect("interviews:member_list", slug)


# Cases


def _attributes(project):
    return list(Attribute.objects.filter(project=project))


@login_required
@require_GET
def case_list(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    attributes = _attributes(project)
    cases = project.cases.annotate(source_count=Count("sources")).prefetch_related("values")
    rows = []
    for case in cases:
        by_attribute = {value.attribute_id: value.value for value in case.values.all()}
        rows.append((case, [by_attribute.get(a.pk, "") for a in attributes]))
    context = {
        "membership": membership,
        "project": project,
        "attributes": attributes,
        "rows": rows,
        "attribute_form": AttributeForm(project=project),
    }
    return render(request, "interviews/case_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    form = CaseForm(request.POST or None, project=project, attributes=_attributes(project))
    if form.is_valid():
        case = form.save(commit=False)
        case.project = project
        case.save()
        services.set_case_values(case=case, values=form.attribute_values())
        messages.success(request, _("Case added."))
        return redirect(case)
    context = {"membership": membership, "project": project, "form": form}
    return render(request, "interviews/case_form.html", context)


@login_required
@require_GET
def case_detail(request, slug, case_id):
    membership = get_membership(request, slug)
    case = get_object_or_404(Case, pk=case_id, project=membership.project)
    context = {
        "membership": membership,
        "project": membership.project,
        "case": case,
        "values": case.values.select_related("attribute"),
        "sources": case.sources.defer("text"),
    }
    return render(request, "interviews/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, slug, case_id):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    case = get_object_or_404(Case, pk=case_id, project=project)
    form = CaseForm(
        request.POST or None, instance=case, project=project, attributes=_attributes(project)
    )
    if form.is_valid():
        form.save()
        services.set_case_values(case=case, values=form.attribute_values())
        messages.success(request, _("Case saved."))
        return redirect(case)
    context = {"membership": membership, "project": project, "form": form, "case": case}
    return render(request, "interviews/case_form.html", context)


@login_required
@require_POST
def case_delete(request, slug, case_id):
    membership = get_membership(request, slug, allow=is_admin)
    case = get_object_or_404(Case, pk=case_id, project=membership.project)
    case.delete()
    messages.success(request, _("Case “%(name)s” deleted.") % {"name": case.name})
    return redirect("interviews:case_list", slug)


@login_required
@require_POST
def attribute_create(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    form = AttributeForm(request.POST, project=project)
    if form.is_valid():
        attribute = form.save(commit=False)
        attribute.project = project
        attribute.order = project.attributes.count()
        attribute.save()
        messages.success(request, _("Attribute “%(name)s” added.") % {"name": attribute.name})
    else:
        for error in form.errors.values():
            messages.error(request, error[0])
    return redirect("interviews:case_list", slug)


@login_required
@require_POST
def attribute_delete(request, slug, attribute_id):
    membership = get_membership(request, slug, allow=is_admin)
    attribute = get_object_or_404(Attribute, pk=attribute_id, project=membership.project)
    attribute.delete()
    messages.success(request, _("Attribute “%(name)s” deleted.") % {"name": attribute.name})
    return redirect("interviews:case_list", slug)


# Sources


@login_required
@require_GET
def source_list(request, slug):
    membership = get_membership(request, slug)
    project = membership.project
    sources = project.sources.defer("text").prefetch_related("cases")
    kind = request.GET.get("kind", "")
    if kind in Source.Kind.values:
        sources = sources.filter(kind=kind)
    else:
        kind = ""
    context = {
        "membership": membership,
        "project": project,
        "sources": sources,
        "kind": kind,
        "kinds": Source.Kind.choices,
    }
    return render(request, "interviews/source_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def source_paste(request, slug):
    membership = get_membership(request, slug, allow=can_code)
    project = membership.project
    form = SourcePasteForm(request.POST or None, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = services.add_source(
                project=project,
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                date=data["date"],
                place=data["place"],
                author=data["author"],
                cases=data["cases"],
                created_by=request.user,
                format="txt",
            )
        except ImportFailed as failure:
            form.add_error("text", failure.message)
        else:
            messages.success(request, _("Source added."))
            return redirect(source)
    context = {"membership": membership, "project": project, "form": form}
    return render(request, "interviews/source_paste.html", context)


def _get_source(membership, source_id, *, with_text=True):
    sources = Source.objects.filter(project=membership.project)
    if not with_text:
        sources = sources.defer("text")
    return get_object_or_404(sources, pk=source_id)


def _offset(request) -> int:
    """The `?at=` offset asked for; anything but a whole number means the beginning."""
    value = request.GET.get("at", "")
    return int(value) if value.isdecimal() and len(value) < 12 else 0


@login_required
@require_GET
def source_detail(request, slug, source_id):
    """The reading page: one window of paragraphs; htmx asks for the next as the reader scrolls."""
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    at = _offset(request)
    window = window_at(source.text, at)
    context = {
        "membership": membership,
        "project": membership.project,
        "source": source,
        "window": window,
        "paragraphs": paragraphs(source.text, window.start, window.end),
        # The paragraph that `?at=` asked for gets id="at", so a link with #at lands on it.
        "target": line_start(source.text, at) if "at" in request.GET else None,
    }
    template = "interviews/source_detail.html"
    if request.htmx:
        response = render(request, template + "#window", context)
    else:
        context["cases"] = source.cases.all()
        context["can_change"] = membership.can_change_source(source)
        context["start_label"] = number_format(window.start + 1, force_grouping=True)
        context["length_label"] = number_format(len(source.text), force_grouping=True)
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # one URL, two answers: never cache across
    return response


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request, slug, source_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id, with_text=False)
    if not membership.can_change_source(source):
        raise PermissionDenied
    form = SourceMetaForm(request.POST or None, instance=source, membership=membership)
    if form.is_valid():
        form.save()
        messages.success(request, _("Source saved."))
        return redirect(source)
    context = {"membership": membership, "project": membership.project, "form": form}
    context["source"] = source
    return render(request, "interviews/source_edit.html", context)


@login_required
@require_POST
def source_delete(request, slug, source_id):
    membership = get_membership(request, slug, allow=can_code)
    source = _get_source(membership, source_id, with_text=False)
    if not membership.can_change_source(source):
        raise PermissionDenied
    services.delete_source(source=source)
    messages.success(request, _("Source “%(title)s” deleted.") % {"title": source.title})
    return redirect("interviews:source_list", slug)


@login_required
@require_GET
def source_original(request, slug, source_id):
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id, with_text=False)
    if not source.original:
        raise Http404
    return FileResponse(
        source.original.open("rb"), as_attachment=True, filename=source.original_name
    )


@login_required
@require_GET
def source_text(request, slug, source_id):
    """The canonical text as UTF-8 plain text: what every offset refers to."""
    membership = get_membership(request, slug)
    source = _get_source(membership, source_id)
    response = HttpResponse(source.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="source-{source.pk}.txt"'
    return response
