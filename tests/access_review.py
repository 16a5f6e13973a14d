"""Rows of the permission walk (tests/test_permissions.py) for this part's views."""

PERSONAS = ("anonymous", "outsider", "researcher", "supervisor", "admin")
LOGIN = "login"  # expected: redirect to the sign-in page


def row(*answers):
    assert len(answers) == len(PERSONAS)
    return dict(zip(PERSONAS, answers, strict=True))


def _two_coders(world):
    """A second coder codes the world's passage differently; ask to keep both."""
    from coding.models import Coding
    from coding.services import apply_code

    coding = Coding.objects.select_related("source", "code").get(pk=world["coding_id"])
    other = world["users"]["admin"]
    text = coding.source.text
    mine = apply_code(
        source=coding.source, start=0, end=20, passage=text[:20], code=coding.code, coder=other
    )
    return {
        "a": coding.coder_id,
        "b": other.pk,
        "action": "keep",
        "codings": [coding.pk, mine.pk],
    }


def _compare(world):
    return {"a": world["users"]["researcher"].pk, "b": world["users"]["admin"].pk}


ACCESS: dict = {
    "coding:agreement": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("get", _compare, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:agreement_source": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
        # Reconciling is for those who review: admins and supervisors.
        ("post", _two_coders, row(LOGIN, 404, 403, 302, 302)),
    ],
}
