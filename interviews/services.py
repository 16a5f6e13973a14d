"""Writes that keep the study's invariants."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import search_index
from .importers import ImportFailed, extract_text, normalise_text
from .models import Attribute, Case, CaseValue, Membership, Project, Source


@transaction.atomic
def create_project(
    *, name: str, slug: str, creator: AbstractBaseUser, description: str = "", language: str = "id"
) -> Project:
    project = Project.objects.create(
        name=name, slug=slug, description=description, language=language
    )
    Membership.objects.create(project=project, user=creator, role=Membership.Role.ADMIN)
    return project


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "project"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def add_member(*, project: Project, user: AbstractBaseUser, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": role}
    )
    if not created:
        raise ValidationError(_("%(user)s is already a member.") % {"user": user.get_username()})
    return membership


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(project_id=membership.project_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    if membership.is_admin and role != Membership.Role.ADMIN and not _other_admins(membership):
        raise ValidationError(_("A project needs at least one admin."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.is_admin and not _other_admins(membership):
        raise ValidationError(_("A project needs at least one admin."))
    membership.delete()


@transaction.atomic
def add_source(
    *,
    project: Project,
    kind: str,
    title: str,
    text: str,
    created_by: AbstractBaseUser | None,
    date: dt.date | None = None,
    place: str = "",
    author: str = "",
    cases: Iterable[Case] = (),
    original: UploadedFile | ContentFile | None = None,
    original_name: str = "",
    format: str = "",
) -> Source:
    text = normalise_text(text)
    if not any(character.isalnum() for character in text):
        raise ImportFailed(_("The text is empty."))
    source = Source(
        project=project,
        kind=kind,
        title=title,
        text=text,
        word_count=len(text.split()),
        date=date,
        place=place,
        author=author,
        created_by=created_by,
        original_name=original_name,
        format=format,
    )
    if original is not None:
        source.original.save(original_name or "original", original, save=False)
    source.save()
    if cases:  # a new source has none to clear: no query for an empty list
        source.cases.set(cases)
    search_index.index_source(source)
    return source


@transaction.atomic
def delete_source(*, source: Source) -> None:
    """Delete a source, its original file and its place in the search index."""
    search_index.forget_source(source.pk)
    if source.original:
        source.original.delete(save=False)
    source.delete()


def import_upload(
    *, project: Project, upload: UploadedFile, kind: str, created_by: AbstractBaseUser
) -> tuple[Source, tuple[str, ...]]:
    """Read one uploaded file into a new source; ImportFailed leaves nothing behind."""
    data = upload.read()
    extracted = extract_text(upload.name, data)
    title = upload.name.rsplit(".", 1)[0].replace("_", " ").strip() or upload.name
    source = add_source(
        project=project,
        kind=kind,
        title=title[:300],
        text=extracted.text,
        created_by=created_by,
        original=ContentFile(data),
        original_name=upload.name,
        format=extracted.format,
    )
    return source, extracted.warnings


@transaction.atomic
def set_case_values(*, case: Case, values: dict[Attribute, str]) -> None:
    for attribute, value in values.items():
        if value in ("", None):
            CaseValue.objects.filter(case=case, attribute=attribute).delete()
        else:
            CaseValue.objects.update_or_create(
                case=case, attribute=attribute, defaults={"value": str(value)}
            )
