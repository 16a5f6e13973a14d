"""Suggested codes: trained model versions, their per-source predictions, and decisions.

Every suggestion names the model version that made it; every accept or reject
is a row here, so the machine's work stays recorded and measurable.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coding.models import Code, Coding
from interviews.models import Project, Source


class SuggestionSettings(models.Model):
    """Per-project switch (admins). A project without a row has suggestions on."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="suggestion_settings"
    )
    enabled = models.BooleanField(
        _("suggested codes"),
        default=True,
        help_text=_(
            "Learn from this project's codings and suggest codes for passages not yet coded. "
            "Everything is computed on this server."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("suggestion settings")
        verbose_name_plural = _("suggestion settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.enabled}"


class SuggestionModel(models.Model):
    """One trained version of a project's suggestion model (numbered per project).

    `figures` holds, per code id (as a string), what cross-validation measured:
    passages, positive units, sources, whether a classifier was trained (and why
    not), and precision / recall / F1 at each threshold of `THRESHOLDS`.
    `estimator` is the joblib dump of the vectorizer and the stacked
    coefficients; only this server writes it, so loading it is safe.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Whose codings it learned from: None = every coder's; else these user ids
    # (blind coding: a researcher's model learns only from what they may see).
    coder_ids = models.JSONField(null=True, blank=True)
    sources = models.PositiveIntegerField(default=0)  # sources with codings it learned from
    units = models.PositiveIntegerField(default=0)  # units of those sources (training-set size)
    passages = models.PositiveIntegerField(default=0)  # coded passages behind it
    rejections = models.PositiveIntegerField(default=0)  # rejected suggestions used as negatives
    code_ids = models.JSONField(default=list)  # codes with a classifier, in codebook order
    params = models.JSONField(default=dict)
    versions = models.JSONField(default=dict)  # library versions
    figures = models.JSONField(default=dict)
    threshold = models.FloatField(default=0.5)  # default threshold, from the validation figures
    seconds = models.FloatField(default=0)
    estimator = models.BinaryField()

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("suggestion model")
        verbose_name_plural = _("suggestion models")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="suggestmodel_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class SourcePrediction(models.Model):
    """A model version's probabilities for the units of one source (computed once).

    `units` is a list of [start, end, code id, probability, paragraph, unit
    number] for every unit and code whose probability reaches the lowest
    threshold offered; `text_hash`
    tells whether the source's text is still the one predicted.
    """

    model = models.ForeignKey(SuggestionModel, on_delete=models.CASCADE, related_name="predictions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    text_hash = models.CharField(max_length=64)
    units = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "source"], name="sourceprediction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model_id}/{self.source_id}"


class SuggestionDecision(models.Model):
    """A user accepted or rejected one suggested passage."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(SuggestionModel, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    probability = models.FloatField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    # The coding an accepted suggestion became (kept as a number once the coding is gone).
    coding = models.ForeignKey(
        Coding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coding_number = models.BigIntegerField(null=True, blank=True)
    batch = models.UUIDField(null=True, blank=True, default=None)  # "accept all" in one go
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suggestion decision")
        verbose_name_plural = _("suggestion decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")),
                name="suggestiondecision_start_before_end",
            ),
            # A retried request finds the decision it already made.
            models.UniqueConstraint(
                fields=["model", "user", "source", "code", "start", "end"],
                name="suggestiondecision_unique",
            ),
        ]
        indexes = [models.Index(fields=["source", "code"], name="suggestiondecision_source")]

    def __str__(self) -> str:
        return f"{self.verdict} {self.start}–{self.end}"
