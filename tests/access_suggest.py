"""Rows of the permission walk (tests/test_permissions.py) for suggested codes."""

import uuid

PERSONAS = ("anonymous", "outsider", "researcher", "supervisor", "admin")
LOGIN = "login"  # expected: redirect to the sign-in page


def row(*answers):
    assert len(answers) == len(PERSONAS)
    return dict(zip(PERSONAS, answers, strict=True))


def stored_model(world):
    """A model version that suggests the world's code for the source's first sentence."""
    from coding.suggest.estimator import text_hash
    from coding.suggest.models import SourcePrediction, SuggestionModel
    from coding.suggest.units import text_units
    from interviews.models import Source

    source = Source.objects.get(pk=world["source_id"])
    model = SuggestionModel.objects.create(
        project=source.project,
        number=1,
        code_ids=[world["code_id"]],
        threshold=0.5,
        estimator=b"",
    )
    unit = text_units(source.text)[1]  # "Situasional saja." (not coded in the world)
    SourcePrediction.objects.create(
        model=model,
        source=source,
        text_hash=text_hash(source.text),
        units=[[unit.start, unit.end, world["code_id"], 0.9, unit.paragraph, 1]],
    )
    return model, unit


def decide(world):
    model, unit = stored_model(world)
    return {
        "version": model.number,
        "code": world["code_id"],
        "start": unit.start,
        "end": unit.end,
        "verdict": "accepted",
    }


def accept_all(world):
    model, _unit = stored_model(world)
    return {"version": model.number, "threshold": "0.50"}


ACCESS: dict = {
    "coding:suggestions": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        # Too few codings in the world: the page says so (a redirect with a message).
        ("post", {"action": "train"}, row(LOGIN, 404, 302, 403, 302)),
        ("post", {"action": "settings", "enabled": "on"}, row(LOGIN, 404, 403, 403, 302)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:suggestion_source": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:suggestion_decide": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", decide, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:suggestion_accept_all": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", accept_all, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:suggestion_undo": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"batch": str(uuid.UUID(int=1))}, row(LOGIN, 404, 302, 403, 302)),
    ],
    # On the coding page (loaded by its toggle; the writes answer like the page's own).
    "coding:suggestion_inline": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:suggestion_judge": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", decide, row(LOGIN, 404, 200, 403, 200)),
    ],
    "coding:suggestion_judge_all": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", accept_all, row(LOGIN, 404, 200, 403, 200)),
    ],
}
