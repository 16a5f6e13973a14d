"""The "coded with help of suggestions" filter: retrieval, the matrices and their exports."""

import random

import pytest
from django.test import override_settings
from django.urls import reverse

from coding.analysis.queries import Filters, matrix_code_kind, matrix_cooccurrence, retrieval
from coding.services import apply_code
from coding.suggest.queries import suggestions_for_source
from coding.suggest.services import decide_suggestion

from ..conftest import make_source
from .conftest import generated_text


@pytest.fixture
def helped(trained, project, researcher):
    """A new source: one passage coded by accepting a suggestion, one by hand beside it."""
    text, _marks = generated_text(random.Random(7), ["Forum", None, "Geografis"])
    source = make_source(project, title="Wawancara baru", text=text, created_by=researcher)
    model = trained["model"]
    first = suggestions_for_source(model=model, source=source, threshold=0.5, coder_ids=None)[0]
    codes = {code.pk: code for code in trained["codes"].values()}
    decision = decide_suggestion(
        model=model,
        source=source,
        code=codes[first.code_id],
        start=first.start,
        end=first.end,
        verdict="accepted",
        user=researcher,
    )
    other = next(code for code in codes.values() if code.pk != first.code_id)
    by_hand = apply_code(
        source=source,
        start=first.start,
        end=first.end,
        passage=text[first.start : first.end],
        code=other,
        coder=researcher,
    )
    return {**trained, "source": source, "accepted": decision.coding, "by_hand": by_hand}


def test_retrieval_keeps_leaves_out_or_keeps_only_accepted_suggestions(
    client, researcher, helped, project
):
    everything = set(retrieval(project, Filters()).values_list("pk", flat=True))
    only = set(retrieval(project, Filters(suggested="only")).values_list("pk", flat=True))
    left_out = set(retrieval(project, Filters(suggested="exclude")).values_list("pk", flat=True))
    assert only == {helped["accepted"].pk}
    assert left_out == everything - only and helped["by_hand"].pk in left_out
    client.force_login(researcher)
    url = reverse("coding:retrieval", args=[project.slug])
    response = client.get(url, {"suggested": "only"})
    assert [c.pk for c in response.context["page"].object_list] == [helped["accepted"].pk]
    assert "Coded with help of suggestions" in response.text


def test_matrices_and_their_exports_follow_the_filter(client, researcher, helped, project):
    source, accepted, by_hand = helped["source"], helped["accepted"], helped["by_hand"]
    pair = (accepted.code_id, by_hand.code_id)
    assert matrix_cooccurrence(project).cells.get(pair) == 1
    assert matrix_cooccurrence(project, Filters(suggested="only")).cells.get(pair) is None
    assert matrix_cooccurrence(project, Filters(suggested="exclude")).cells.get(pair) is None
    kinds = matrix_code_kind(project, Filters(suggested="only"))
    assert kinds.cells == {(accepted.code_id, source.kind): 1}
    client.force_login(researcher)
    url = reverse("coding:display", args=[project.slug])
    response = client.get(url, {"view": "kind", "suggested": "only", "format": "csv"})
    rows = [line.split(",") for line in response.content.decode().splitlines()]
    totals = {row[0].strip(): row[-1] for row in rows[1:]}
    assert totals[helped["accepted"].code.name] == "1"
    assert all(total == "0" for name, total in totals.items() if name != accepted.code.name)


@override_settings(SUGGESTIONS_ENABLED=False)
def test_no_filter_when_the_site_switch_is_off(client, researcher, helped, project):
    client.force_login(researcher)
    response = client.get(reverse("coding:retrieval", args=[project.slug]), {"suggested": "only"})
    assert "Coded with help of suggestions" not in response.text
    assert len(response.context["page"].object_list) > 1  # the parameter is ignored


def test_the_qdpx_export_has_accepted_suggestions_as_codings_of_their_user_with_a_note(
    helped, researcher
):
    import io
    import zipfile

    from lxml import etree

    from coding.exchange.qdpx_export import export_qdpx
    from coding.exchange.refi import schema

    data, _warnings = export_qdpx(helped["source"].project)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde"))
    assert schema("Project-mrt2019.xsd").validate(root)
    ns = {"q": root.nsmap[None]}
    notes = {
        note.get("guid"): note.findtext("q:PlainTextContent", namespaces=ns)
        for note in root.iterfind(".//q:Notes/q:Note", ns)
    }
    by_user = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:Users/q:User", ns)}
    texts = {}
    for coding in root.iterfind(".//q:Coding", ns):
        refs = [ref.get("targetGUID") for ref in coding.iterfind("q:NoteRef", ns)]
        texts[coding.get("guid")] = (
            [notes[ref] for ref in refs],
            by_user[coding.get("creatingUser")],
        )
    named = [(found, user) for found, user in texts.values() if found]
    probability = helped["model"].decisions.get().probability
    assert named == [
        ([f"accepted suggestion of model v1, p = {probability:.2f}"], researcher.username)
    ]
    assert len(texts) > 1  # the rest, coded by hand, carry no such note
