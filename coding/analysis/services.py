"""Writes of the analysis stages that touch many rows: coding every hit of a search."""

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interviews.models import Source

from ..models import Code, Coding, CodingEvent
from ..services import record_event
from .units import widen

# One action codes at most this many passages: beyond it, narrow the search.
MAX_BATCH = 5_000

Span = tuple[int, int, int]  # (source id, start, end) of the original text


@dataclass
class CodingPlan:
    """What coding a set of hits will do: the passages, and those already coded."""

    code: Code
    coder_id: int
    spans: list[Span]
    existing: set[Span] = field(default_factory=set)

    @property
    def new(self) -> list[Span]:
        return [span for span in self.spans if span not in self.existing]

    @property
    def fingerprint(self) -> str:
        """Names this exact plan, so that confirming applies what the preview showed."""
        digest = hashlib.sha256(f"{self.code.pk}:{self.coder_id}".encode())
        for source_id, start, end in self.new:
            digest.update(f"|{source_id}:{start}:{end}".encode())
        return digest.hexdigest()[:32]


def plan_codings(
    *,
    code: Code,
    coder: AbstractBaseUser,
    hits: Iterable[Span],
    texts: dict[int, str],
    unit: str,
) -> CodingPlan:
    """The passages `hits` widen to as `unit` (each once), and which already carry `code`."""
    spans: list[Span] = []
    seen: set[Span] = set()
    for source_id, start, end in hits:
        span = (source_id, *widen(texts[source_id], start, end, unit))
        if span not in seen:
            seen.add(span)
            spans.append(span)
    plan = CodingPlan(code=code, coder_id=coder.pk, spans=spans)
    if spans:
        rows = Coding.objects.filter(
            code=code, coder=coder, source_id__in={s[0] for s in spans}
        ).values_list("source_id", "start", "end")
        plan.existing = seen & set(rows)
    return plan


@dataclass(frozen=True)
class BatchResult:
    batch: uuid.UUID
    created: list[Coding]
    skipped: int


@transaction.atomic
def apply_codes_batch(
    *,
    code: Code,
    coder: AbstractBaseUser,
    spans: Sequence[Span],
    batch: uuid.UUID | None = None,
) -> BatchResult:
    """Code every span with `code` for `coder`, as one batch of the history.

    Spans the coder already has with this code are skipped (and counted); all
    the others are created, or none is.
    """
    batch = batch or uuid.uuid4()
    spans = list(dict.fromkeys(spans))
    if len(spans) > MAX_BATCH:
        raise ValidationError(
            _("One action codes at most %(n)d passages; narrow the search.") % {"n": MAX_BATCH}
        )
    texts = dict(
        Source.objects.filter(
            project_id=code.project_id, pk__in={span[0] for span in spans}
        ).values_list("pk", "text")
    )
    for source_id, start, end in spans:
        if source_id not in texts:
            raise ValidationError(_("That source belongs to another project."))
        if not (0 <= start < end <= len(texts[source_id])):
            raise ValidationError(_("The selection lies outside the text."))
    existing = set(
        Coding.objects.filter(code=code, coder=coder, source_id__in=texts).values_list(
            "source_id", "start", "end"
        )
    )
    new = [
        Coding(
            source_id=source_id,
            code=code,
            coder=coder,
            start=start,
            end=end,
            passage=texts[source_id][start:end],
        )
        for source_id, start, end in spans
        if (source_id, start, end) not in existing
    ]
    try:
        with transaction.atomic():
            created = Coding.objects.bulk_create(new)
    except IntegrityError:
        raise ValidationError(
            _("Some of these passages were coded at the same moment. Preview again.")
        ) from None
    for coding in created:
        record_event(coding, CodingEvent.Action.CREATED, coder, batch=batch)
    return BatchResult(batch=batch, created=created, skipped=len(spans) - len(new))
