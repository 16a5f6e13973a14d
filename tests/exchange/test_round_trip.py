"""Export a project, import the file: the same sources, codes, codings, cases and memos."""

import datetime as dt
import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.demo import code_demo_corpus
from coding.exchange.create import create_project_from_plan
from coding.exchange.qdpx_export import export_qdpx
from coding.exchange.qdpx_import import read_qdpx
from coding.models import Code, Coding, Memo
from interviews.demo import build_demo_corpus
from interviews.importers import normalise_text
from interviews.models import Attribute, Case, CaseValue, Project, Source

from .conftest import make_user, snapshot


def round_trip(project, owner):
    data, warnings = export_qdpx(project)
    assert warnings == []
    plan = read_qdpx(data)
    assert plan.problems == []
    return create_project_from_plan(plan=plan, owner=owner).project


def test_the_demo_project_survives_a_round_trip(db):
    demo = build_demo_corpus()
    code_demo_corpus(demo)
    copy = round_trip(demo.project, demo.users["admin"])
    assert copy.pk != demo.project.pk
    assert snapshot(copy) == snapshot(demo.project)


def test_a_project_with_originals_memos_and_typed_cases_survives_a_round_trip(rich_project, admin):
    copy = round_trip(rich_project, admin)
    assert snapshot(copy) == snapshot(rich_project)
    assert copy.description == rich_project.description
    assert copy.memberships.get(placeholder_guid=None).user == admin


def test_codes_keep_their_guids_when_the_original_project_is_gone(rich_project, admin):
    data, _ = export_qdpx(rich_project)
    guids = set(Code.objects.filter(project=rich_project).values_list("guid", flat=True))
    rich_project.delete()
    copy = create_project_from_plan(plan=read_qdpx(data), owner=admin).project
    assert set(Code.objects.filter(project=copy).values_list("guid", flat=True)) == guids


# Property-based: generated projects with awkward text.

AWKWARD = st.sampled_from(
    [
        "a", "Z", " ", " ", "\n", "é", "e\u0301", "ñ", "😊", "👩🏽\u200d💼", "🇮🇩",
        "م", "ر", "ح", "ب", "א", "ש", "\u200f", "字", "ก\u0e31", "\u0915\u094d", "—", "…",
    ]
)  # fmt: skip
WORDS = st.lists(AWKWARD, min_size=1, max_size=40).map("".join)


@st.composite
def texts(draw):
    parts = draw(st.lists(WORDS, min_size=1, max_size=6))
    if draw(st.booleans()):
        parts.append("panjang " * draw(st.integers(200, 600)))  # a long line
    text = normalise_text("\n".join(parts))
    return text if any(c.isalnum() for c in text) else text + " kata"


COLOURS = st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)
# Where a coding falls (as fractions of the text), which code, which of two coders.
SPANS = st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 4), st.booleans())
# What XML 1.0 can carry (control characters other than tab and newlines cannot).
PLAIN = st.characters(exclude_categories=["Cs", "Cc", "Cn"], include_characters="\n\t\r")


@st.composite
def projects(draw):
    names = st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]),
        min_size=1,
        max_size=20,
    ).map(lambda s: " ".join(s.split()) or "kode")
    return {
        "texts": draw(st.lists(texts(), min_size=1, max_size=3)),
        "kinds": draw(st.lists(st.sampled_from(Source.Kind.values), min_size=3, max_size=3)),
        "codes": draw(st.lists(names, min_size=1, max_size=5, unique_by=str.lower)),
        "nesting": draw(st.lists(st.booleans(), min_size=5, max_size=5)),
        "colours": draw(st.lists(COLOURS, min_size=5, max_size=5)),
        "definitions": draw(st.lists(st.text(PLAIN, max_size=30), min_size=5, max_size=5)),
        "spans": draw(st.lists(SPANS, max_size=12)),
        "values": draw(
            st.tuples(
                st.integers(-1000, 10**6),
                st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)),
                names,
            )
        ),
        "memo": draw(st.text(PLAIN, min_size=1, max_size=60).filter(str.strip)),
    }


def build(spec, researcher, other) -> Project:
    project = Project.objects.create(name="Generated", slug=f"gen-{uuid.uuid4().hex[:12]}")
    codes = []
    for index, name in enumerate(spec["codes"]):
        parent = codes[0] if index and spec["nesting"][index] else None
        taken = {c.name.lower() for c in codes if c.parent == parent}
        if name.lower() in taken:
            continue
        codes.append(
            Code.objects.create(
                project=project,
                parent=parent,
                name=name[:120],
                colour=spec["colours"][index],
                definition=spec["definitions"][index].strip(),
                order=index,
            )
        )
    case = Case.objects.create(project=project, name="Informan ☀")
    for order, (kind, value) in enumerate(
        zip(Attribute.Type.values, _canonical(spec["values"]), strict=True)
    ):
        attribute = Attribute.objects.create(
            project=project, name=f"attr {kind}", type=kind, order=order
        )
        CaseValue.objects.create(case=case, attribute=attribute, value=value)
    sources = []
    for index, text in enumerate(spec["texts"]):
        source = Source.objects.create(
            project=project, kind=spec["kinds"][index], title=f"Sumber {index}", text=text
        )
        source.cases.set([case])
        sources.append(source)
    for a, b, code_index, first_coder in spec["spans"]:
        source = sources[int(a * len(sources)) % len(sources)]
        start, end = sorted((int(a * len(source.text)), int(b * len(source.text))))
        if start == end:
            continue
        Coding.objects.get_or_create(
            source=source,
            code=codes[code_index % len(codes)],
            coder=researcher if first_coder else other,
            start=start,
            end=end,
            defaults={"passage": source.text[start:end]},
        )
    Memo.objects.create(project=project, author=other, code=codes[0], text=spec["memo"])
    coding = Coding.objects.filter(source__project=project).first()
    if coding is not None:
        Memo.objects.create(project=project, author=researcher, coding=coding, text=spec["memo"])
    return project


def _canonical(values):
    integer, decimal, boolean, date, text = values
    return [
        " ".join(text.split()) or "teks",
        str(integer),
        format(decimal, "f"),
        "true" if boolean else "false",
        date.isoformat(),
    ]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=projects())
def test_any_generated_project_survives_a_round_trip(spec):
    with transaction.atomic():
        researcher = make_user(f"r{uuid.uuid4().hex[:8]}")
        other = make_user(f"o{uuid.uuid4().hex[:8]}")
        original = build(spec, researcher, other)
        copy = round_trip(original, researcher)
        assert snapshot(copy) == snapshot(original)
        transaction.set_rollback(True)
