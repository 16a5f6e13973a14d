"""The codebook and the coding of sources: codes, codings, memos and their history."""

import json
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from interviews.models import Project, Source

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #1f77b4.")
)


class Code(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("under"),
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    inclusion = models.TextField(_("use it when"), blank=True)
    exclusion = models.TextField(_("do not use it when"), blank=True)
    example = models.TextField(_("example"), blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#1f77b4", validators=[colour_validator]
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # REFI-QDA's isCodable, kept from an imported file so that an export says what the
    # other tool said (a folder of codes); here every code can be applied.
    is_codable = models.BooleanField(default=True, editable=False)
    # Stable identity for exchange with other tools (REFI-QDA GUID).
    guid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            # Names are unique among siblings regardless of case, in the database too,
            # so two concurrent requests cannot both create "SOP" and "sop".
            models.UniqueConstraint(
                F("project"), F("parent"), Lower("name"), name="code_unique_name_under_parent"
            ),
            models.UniqueConstraint(
                F("project"),
                Lower("name"),
                condition=Q(parent__isnull=True),
                name="code_unique_name_at_top",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="code_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    """A passage of a source marked with a code: `source.text[start:end]`.

    Offsets are Unicode code points, half-open. `passage` keeps a copy of the
    text so that retrieval never loads whole transcripts.
    """

    class Review(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    passage = models.TextField()
    # The latest verdict of a supervisor (kept here to filter on; ReviewNote has the thread).
    review_status = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "end", "id"]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")), name="coding_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["source", "code", "coder", "start", "end"], name="coding_unique"
            ),
        ]
        indexes = [
            # Covers the overlap searches (co-occurrence, agreement) without table reads.
            models.Index(
                fields=["source", "start", "end", "code", "id"], name="coding_source_span"
            ),
            models.Index(fields=["code", "source"], name="coding_code_source"),
            # A coder's latest coding with each code (the coding page's recent codes):
            # one step down the index per code, however many codings the coder made.
            models.Index(fields=["coder", "code", "created_at"], name="coding_coder_code_created"),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class ImportedText(models.Model):
    """The .txt a source came with in a QDPX file, where it differs from `Source.text`.

    A QDPX text is kept verbatim but for its line ends (and a byte-order mark, NUL
    characters, another encoding): an export writes these bytes back and maps the
    positions back to them (coding/exchange/qdpx_text.py). Stored compressed.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="imported_text")
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"text of {self.source_id}"


class Memo(models.Model):
    """Free notes on the project, or on one source, code or coding."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    code = models.ForeignKey(
        Code, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    coding = models.ForeignKey(
        Coding, on_delete=models.CASCADE, null=True, blank=True, related_name="memos"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memos"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("memo"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("memo")
        verbose_name_plural = _("memos")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(source__isnull=True, code__isnull=True)
                    | Q(source__isnull=True, coding__isnull=True)
                    | Q(code__isnull=True, coding__isnull=True)
                ),
                name="memo_at_most_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class CodingEvent(models.Model):
    """History of codings, and the event stream that keeps open pages current."""

    class Action(models.TextChoices):
        CREATED = "created", _("coded")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")
        REVIEWED = "reviewed", _("reviewed")
        RECONCILED = "reconciled", _("reconciled")
        UNDONE = "undone", _("undone")
        REDONE = "redone", _("redone")

    class Effect(models.TextChoices):
        """What an event did to its coding: what undoing the event reverses."""

        CREATED = "created", _("coding created")
        CHANGED = "changed", _("code or position changed")
        REMOVED = "removed", _("coding removed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="coding_events")
    # Not a foreign key: the history outlives the coding it tells of.
    coding_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whose coding the event is about (the actor may be a supervisor or an admin):
    # blind coding shows a researcher the history of their own codings only.
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    at = models.DateTimeField(auto_now_add=True)
    code_name = models.CharField(max_length=120)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    detail = models.CharField(max_length=300, blank=True)
    # The events of one user action (several codes applied at once, every hit of a
    # search coded, an undo) share a batch: undo and redo take a whole batch.
    batch = models.UUIDField(null=True, blank=True)
    # Blank for events that an undo cannot reverse (reviews, reconciliation, old rows).
    effect = models.CharField(max_length=10, choices=Effect.choices, blank=True)
    # The coding as it was before the event, as far as undoing it needs: its code and
    # span before a change; for a removal everything to re-create it (memos included).
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    # For the events of an undo (or redo): the batch it reversed.
    undoes = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["source", "id"], name="codingevent_source_id"),
            models.Index(fields=["batch"], name="codingevent_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.coding_id}"

    @staticmethod
    def encode_detail(kind: str, **params) -> str:
        """A note as a kind and its parameters (JSON), put into words when shown.

        The history is then read in each reader's language, not the writer's.
        A long `text` parameter is shortened to fit the column.
        """
        params = {key: value for key, value in params.items() if value not in ("", None)}
        while True:
            encoded = json.dumps({"kind": kind, **params}, ensure_ascii=False)
            if len(encoded) <= 300 or not params.get("text"):
                return encoded[:300]
            params["text"] = params["text"][: max(0, len(params["text"]) - (len(encoded) - 299))]
            params["text"] = params["text"].rstrip() + "…"

    @property
    def note(self) -> str:
        """The detail in the current language (older rows hold a plain note: shown as is)."""
        if not self.detail.startswith('{"kind"'):
            return self.detail
        try:
            data = json.loads(self.detail)
        except ValueError:
            return self.detail
        return describe_detail(data)


class WriteReceipt(models.Model):
    """The answer to one write from the coding page, kept under the browser's key.

    The browser sends every write with a key of its own making (a UUID); a retry
    of a write the server already applied (the answer was lost on the way back)
    gets the same answer again and applies nothing twice. Old receipts are pruned.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    status = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10)  # saved, already, refused
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="writereceipt_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="writereceipt_created")]

    def __str__(self) -> str:
        return f"{self.key} {self.outcome}"


class ReviewNote(models.Model):
    """One entry of a coding's review thread: a verdict, a comment or the coder's reply."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        COMMENT = "comment", _("commented")
        REPLY = "reply", _("replied")

    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="review_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind


class Summary(models.Model):
    """A condensed summary of a code's passages, overall or for one case (data reduction)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="summaries")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="summaries")
    case = models.ForeignKey(
        "interviews.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="summaries"
    )
    text = models.TextField(_("summary"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")
        constraints = [
            models.UniqueConstraint(fields=["code", "case"], name="summary_unique_code_case"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(case__isnull=True), name="summary_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ConclusionQuerySet(models.QuerySet):
    def open(self):
        """Conclusions whose evidence may change: drafts and returned ones."""
        return self.filter(status__in=Conclusion.OPEN)


class Conclusion(models.Model):
    """A statement drawn from the data, with codings cited as evidence."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned")

    # Whose evidence may still change: drafts and conclusions returned to their author.
    OPEN = (Status.DRAFT, Status.RETURNED)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conclusions")
    statement = models.CharField(_("statement"), max_length=500)
    text = models.TextField(_("discussion"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("supervisor's comment"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConclusionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "created_at"]
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")

    def __str__(self) -> str:
        return self.statement

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class Evidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("supports")
        CONTRADICTS = "contradicts", _("contradicts")

    conclusion = models.ForeignKey(Conclusion, on_delete=models.CASCADE, related_name="evidence")
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="evidence")
    stance = models.CharField(
        _("stance"), max_length=12, choices=Stance.choices, default=Stance.SUPPORTS
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["conclusion", "coding"], name="evidence_unique"),
        ]

    def __str__(self) -> str:
        return self.stance


class StopWords(models.Model):
    """A project's own stop-word list for one language; the built-in list until edited."""

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stop_words")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    words = models.TextField(_("stop words"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stop-word list")
        verbose_name_plural = _("stop-word lists")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "language"], name="stopwords_unique_language"
            ),
        ]

    def __str__(self) -> str:
        return self.language


def describe_detail(data: dict) -> str:
    """The words of an encoded history note (see CodingEvent.encode_detail)."""
    kind = data.get("kind")
    if kind == "review":
        verdict = data.get("verdict", "")
        label = ReviewNote.Kind(verdict).label if verdict in ReviewNote.Kind.values else verdict
        text = data.get("text", "")
        return f"{label}: {text}" if text else str(label)
    if kind == "accept":
        words = gettext("accepted %(coder)s's coding") % {"coder": data.get("coder", "")}
    elif kind == "keep":
        words = gettext("kept both")
    elif kind == "code_deleted":
        return gettext("code deleted")
    elif kind == "imported":
        return gettext("imported")
    elif kind == "handover":
        return gettext("handed over from %(placeholder)s to %(member)s") % {
            "placeholder": data.get("placeholder", ""),
            "member": data.get("member", ""),
        }
    elif kind == "suggestion":  # coding.suggest: an accepted suggestion names its model
        return gettext("accepted suggestion of model v%(model)s, p = %(p)s") % {
            "model": data.get("model"),
            "p": data.get("p"),
        }
    elif kind == "merge":
        words = gettext("merged into %(start)s–%(end)s") % {
            "start": data.get("start"),
            "end": data.get("end"),
        }
    else:
        return data.get("text", "")
    step = data.get("step")
    if step == "moved":
        words += " · " + gettext("moved from %(start)s–%(end)s") % {
            "start": data.get("from_start"),
            "end": data.get("from_end"),
        }
    elif step in RECONCILE_STEPS:
        words += " · " + str(RECONCILE_STEPS[step])
    return words


RECONCILE_STEPS = {"unchanged": _("unchanged"), "removed": _("removed"), "added": _("added")}
