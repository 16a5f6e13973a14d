"""Rows of the permission walk (tests/test_permissions.py) for search and word frequencies."""

PERSONAS = ("anonymous", "outsider", "researcher", "supervisor", "admin")
LOGIN = "login"  # expected: redirect to the sign-in page


def row(*answers):
    assert len(answers) == len(PERSONAS)
    return dict(zip(PERSONAS, answers, strict=True))


def _code_all(world):
    return {"code": world["code_id"], "unit": "sentence", "all": "1"}


ACCESS: dict = {
    "coding:search": [
        ("get", {"q": "koordinasi"}, row(LOGIN, 404, 200, 200, 200)),
        ("get", {"q": "(", "mode": "regex"}, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    # The search comes in the query string; without one the action goes back to the search.
    "coding:search_undo": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"batch": "not-a-batch"}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:search_code": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", _code_all, row(LOGIN, 404, 302, 403, 302)),
    ],
    # The coding page's find box: the hits of one source, for every member.
    "coding:source_find": [
        ("get", {"q": "koordinasi"}, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:word_frequencies": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("get", {"format": "xlsx"}, row(LOGIN, 404, 200, 200, 200)),
    ],
    "coding:stop_words": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {"id": "yang", "en": "the"}, row(LOGIN, 404, 302, 403, 302)),
    ],
}
