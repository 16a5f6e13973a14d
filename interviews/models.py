"""The study and its material: projects, members, cases and sources."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language of the material"),
        max_length=8,
        choices=Language.choices,
        default=Language.INDONESIAN,
    )
    blind_coding = models.BooleanField(
        _("blind coding"),
        default=False,
        help_text=_(
            "Researchers see only their own codings while coding, so that two coders "
            "code independently. Admins and supervisors always see all."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("interviews:project_detail", args=[self.slug])


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        RESEARCHER = "researcher", _("Researcher")
        SUPERVISOR = "supervisor", _("Supervisor")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # A placeholder coder holds work imported from another tool's file (see README,
    # "Exchange"): an account that cannot sign in, made for this project only. These
    # keep the id and GUID the coder had in that file, so an export gives them back.
    placeholder_id = models.CharField(max_length=150, blank=True)
    placeholder_guid = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.project_id}: {self.role}"

    @property
    def is_placeholder(self) -> bool:
        return self.placeholder_guid is not None

    # Capabilities: the one place that says what each role may do.
    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def can_code(self) -> bool:
        return self.role in {self.Role.ADMIN, self.Role.RESEARCHER}

    @property
    def can_review(self) -> bool:
        return self.role in {self.Role.ADMIN, self.Role.SUPERVISOR}

    @property
    def sees_only_own_work(self) -> bool:
        """Blind coding: a researcher sees only their own codings, the memos and reviews on
        them and their history, so that coders stay independent."""
        return self.project.blind_coding and self.role == self.Role.RESEARCHER

    def visible_coder_ids(self) -> list[int] | None:
        """Whose coding work this member may see: None for everyone's, else these users'.

        Every read of codings, memos on codings, history and reviews goes through this.
        """
        return [self.user_id] if self.sees_only_own_work else None

    def can_add_source(self, kind: str) -> bool:
        if kind == Source.Kind.DOCUMENT:
            return self.is_admin
        return self.can_code

    def can_change_source(self, source: "Source") -> bool:
        return self.is_admin or (self.can_code and source.created_by_id == self.user_id)


class Attribute(models.Model):
    """A property that cases of a project carry (role, unit, years in post...)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Whole number")
        FLOAT = "float", _("Decimal number")
        BOOLEAN = "boolean", _("Yes / no")
        DATE = "date", _("Date")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("case attribute")
        verbose_name_plural = _("case attributes")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="attribute_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A unit of analysis: an informant, a site, an office."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cases")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="case_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("interviews:case_detail", args=[self.project.slug, self.pk])


class CaseValue(models.Model):
    """The value of one attribute for one case, stored as text in a canonical form."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="values")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(_("value"), max_length=500, blank=True)

    class Meta:
        ordering = ["attribute__order", "attribute__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "attribute"], name="casevalue_unique"),
        ]

    def __str__(self) -> str:
        return self.value


def _original_path(source: "Source", filename: str) -> str:
    return f"sources/{source.project_id}/{PurePath(filename).name}"


class Source(models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview transcript")
        OBSERVATION = "observation", _("Observation note")
        DOCUMENT = "document", _("Document")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    author = models.CharField(_("interviewer, observer or author"), max_length=200, blank=True)
    cases = models.ManyToManyField(
        Case, blank=True, related_name="sources", verbose_name=_("cases")
    )
    original = models.FileField(_("original file"), upload_to=_original_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, blank=True)
    # The canonical text (NFC, "\n" line ends); every offset refers to it.
    text = models.TextField()
    word_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [models.Index(fields=["project", "kind"], name="source_project_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("interviews:source_detail", args=[self.project.slug, self.pk])


def _job_path(job: "Job", filename: str) -> str:
    return f"jobs/{job.pk}/{PurePath(filename).name}"


class Job(models.Model):
    """Long work run by the task worker (Django's tasks framework), and how far it got.

    The row is what the browser polls: queued, running with a count, done with a file
    to download or a page to open, or failed with the reason. It lives in the database,
    so any app server process can answer for a job that a worker elsewhere runs.
    """

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Reading uploaded files")
        PROJECT_IMPORT = "project_import", _("Importing a project")
        PROJECT_EXPORT = "project_export", _("Exporting the project")
        REPORT = "report", _("Writing the report")
        CODINGS_EXPORT = "codings_export", _("Exporting the codings")
        TRAINING = "training", _("Training suggested codes")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty for work that makes a project (an import) until it has made it.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The reason a job failed, written in the language of the person who started it.
    message = models.CharField(max_length=1000, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.FileField(upload_to=_job_path, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("interviews:job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))
