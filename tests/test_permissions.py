"""Every URL of the project, walked by every persona.

A new view without a row in ACCESS fails `test_every_view_has_a_row`, so each
view's permission is decided on purpose, not by accident.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from coding.models import CodingEvent, Conclusion, Evidence, Memo
from coding.services import apply_code, create_code
from interviews.models import Job, Membership, Source

from . import access_analysis, access_exchange, access_review, access_suggest
from .conftest import make_attribute, make_case, make_source, make_user

PERSONAS = ("anonymous", "outsider", "researcher", "supervisor", "admin")
LOGIN = "login"  # expected: redirect to the sign-in page


def _upload(world) -> dict:
    return {"kind": "interview", "files": [SimpleUploadedFile("catatan.txt", b"Rapat koordinasi.")]}


def row(*answers):
    assert len(answers) == len(PERSONAS)
    return dict(zip(PERSONAS, answers, strict=True))


# url name -> list of (method, data, expected answer per persona)
# data: a dict, a key of `world`, or a function of `world` returning a dict.
# Answers: an HTTP status, or LOGIN for "redirect to sign-in".
ACCESS = {
    "interviews:project_list": [("get", None, row(LOGIN, 200, 200, 200, 200))],
    "interviews:project_create": [
        ("get", None, row(LOGIN, 200, 200, 200, 200)),
        ("post", {"name": ""}, row(LOGIN, 200, 200, 200, 200)),
    ],
    "interviews:project_detail": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "interviews:project_edit": [("get", None, row(LOGIN, 404, 403, 403, 200))],
    "interviews:member_list": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {"username": "nobody", "role": "admin"}, row(LOGIN, 404, 403, 403, 200)),
    ],
    "interviews:member_edit": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"role": "researcher"}, row(LOGIN, 404, 403, 403, 302)),
    ],
    "interviews:member_remove": [("post", {}, row(LOGIN, 404, 403, 403, 302))],
    "interviews:case_list": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "interviews:case_create": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "interviews:case_detail": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "interviews:case_edit": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "interviews:case_delete": [("post", {}, row(LOGIN, 404, 403, 403, 302))],
    "interviews:attribute_create": [
        ("post", {"name": "Unit", "type": "text"}, row(LOGIN, 404, 302, 403, 302))
    ],
    "interviews:attribute_delete": [("post", {}, row(LOGIN, 404, 403, 403, 302))],
    "interviews:source_list": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "interviews:source_upload": [
        ("get", None, row(LOGIN, 404, 200, 403, 200)),
        # The originals are kept and a job reads them: its page is where the post leads.
        ("post", _upload, row(LOGIN, 404, 302, 403, 302)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "interviews:source_paste": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "interviews:source_detail": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "interviews:source_edit": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "interviews:source_delete": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "interviews:source_original": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "interviews:source_text": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    # A job is its starter's (here the researcher's) alone.
    "interviews:job_detail": [
        ("get", None, row(LOGIN, 404, 200, 404, 404)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "interviews:job_download": [("get", None, row(LOGIN, 404, 200, 404, 404))],
    "coding:codebook": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {"name": "Baru", "colour": "#123456"}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:codebook_seed": [("post", {}, row(LOGIN, 404, 403, 403, 302))],
    "coding:code_detail": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:code_edit": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "coding:code_move": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"direction": "down"}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:code_merge": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "coding:code_delete": [
        ("get", None, row(LOGIN, 404, 200, 403, 200)),
        ("post", {}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:source_code": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:coding_create": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", "apply", row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:coding_panel": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:coding_edit": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"action": "remove"}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:coding_memo": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"text": "Catatan"}, row(LOGIN, 404, 302, 302, 302)),
    ],
    "coding:coding_undo": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        # The world's coding is the researcher's: only they may undo it (others are told so).
        ("post", "undo", row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:source_events": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:source_history": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:memo_list": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:memo_create": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {"text": "Catatan"}, row(LOGIN, 404, 302, 302, 302)),
    ],
    "coding:memo_edit": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "coding:memo_delete": [("post", {}, row(LOGIN, 404, 302, 403, 302))],
    "coding:retrieval": [("get", "retrieve", row(LOGIN, 404, 200, 200, 200))],
    "coding:frequencies": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:summary_save": [
        ("post", "summary", row(LOGIN, 404, 302, 403, 302)),
    ],
    "coding:display": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("get", {"view": "cooccurrence", "format": "xlsx"}, row(LOGIN, 404, 200, 200, 200)),
    ],
    "coding:matrix_cell": [("get", "cell", row(LOGIN, 404, 200, 200, 200))],
    "coding:conclusion_list": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:conclusion_create": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "coding:conclusion_detail": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:conclusion_edit": [("get", None, row(LOGIN, 404, 200, 403, 200))],
    "coding:conclusion_status": [
        ("post", {"action": "submit"}, row(LOGIN, 404, 302, 403, 302)),
        ("post", {"action": "verify"}, row(LOGIN, 404, 403, 403, 403)),
    ],
    "coding:conclusion_delete": [("post", {}, row(LOGIN, 404, 302, 403, 302))],
    "coding:evidence_add": [("post", "evidence", row(LOGIN, 404, 302, 403, 302))],
    "coding:evidence_remove": [("post", {}, row(LOGIN, 404, 302, 403, 302))],
    "coding:report": [
        ("get", {"format": "html"}, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 404, 302, 302, 302)),
    ],
    "coding:review_queue": [("get", None, row(LOGIN, 404, 403, 200, 200))],
    "coding:review_feedback": [("get", None, row(LOGIN, 404, 200, 200, 200))],
    "coding:review_act": [
        ("get", None, row(LOGIN, 405, 405, 405, 405)),
        ("post", {"kind": "approve"}, row(LOGIN, 404, 403, 302, 302)),
        ("post", {"kind": "reply", "text": "Sudah saya perbaiki."}, row(LOGIN, 404, 302, 403, 302)),
    ],
    "login": [("get", None, row(200, 200, 200, 200, 200))],
    "logout": [("post", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN))],
    "password_change": [("get", None, row(LOGIN, 200, 200, 200, 200))],
    "password_change_done": [("get", None, row(LOGIN, 200, 200, 200, 200))],
    # Resetting a forgotten password is open to everyone; the mail goes only to the owner.
    "password_reset": [
        ("get", None, row(200, 200, 200, 200, 200)),
        ("post", {"email": "nobody@example.org"}, row(302, 302, 302, 302, 302)),
    ],
    "password_reset_done": [("get", None, row(200, 200, 200, 200, 200))],
    "password_reset_confirm": [("get", None, row(200, 200, 200, 200, 200))],
    "password_reset_complete": [("get", None, row(200, 200, 200, 200, 200))],
    "set_language": [("post", {"language": "id"}, row(302, 302, 302, 302, 302))],
}
ACCESS.update(access_review.ACCESS)
ACCESS.update(access_exchange.ACCESS)
ACCESS.update(access_suggest.ACCESS)
ACCESS.update(access_analysis.ACCESS)
# Django's own admin site guards itself (staff only); it is not a project view.
SKIPPED_NAMESPACES = {"admin"}


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_view_has_a_row():
    missing = sorted(set(_all_url_names()) - set(ACCESS))
    assert not missing, f"add these views to ACCESS: {missing}"


@pytest.fixture
def world(project, admin, researcher, supervisor, outsider):
    """One of everything, so that every URL pattern can be filled in."""
    source = make_source(project, created_by=researcher)
    source.original.save("wawancara.txt", ContentFile(b"Pewawancara: halo"), save=True)
    source.original_name = "wawancara.txt"
    source.save()
    code = create_code(project=project, name="Komunikasi")
    coding = apply_code(
        source=source, start=0, end=11, passage=source.text[:11], code=code, coder=researcher
    )
    memo = Memo.objects.create(project=project, author=researcher, text="Catatan awal")
    conclusion = Conclusion.objects.create(
        project=project, statement="Koordinasi situasional", author=researcher
    )
    Evidence.objects.create(conclusion=conclusion, coding=coding, added_by=researcher)
    job = Job.objects.create(
        kind=Job.Kind.REPORT,
        project=project,
        created_by=researcher,
        status=Job.Status.DONE,
        result_name="laporan.docx",
    )
    job.result.save("laporan.docx", ContentFile(b"PK"), save=True)
    other = make_user("rudi_researcher")
    target = Membership.objects.create(project=project, user=other, role=Membership.Role.RESEARCHER)
    return {
        "slug": project.slug,
        "source_id": source.pk,
        "case_id": make_case(project).pk,
        "attribute_id": make_attribute(project).pk,
        "member_id": target.pk,
        "code_id": code.pk,
        "coding_id": coding.pk,
        "memo_id": memo.pk,
        "conclusion_id": conclusion.pk,
        "job_id": job.pk,
        "uidb64": "MQ",
        "token": "not-a-valid-token",
        "retrieve": {"code": code.pk},
        "summary": {"code": code.pk, "text": "Ringkasan"},
        "cell": {"row": code.pk, "col": "kind", "key": "interview"},
        "evidence": {"conclusion": conclusion.pk, "coding": coding.pk, "stance": "supports"},
        "apply": {"start": 0, "end": 11, "passage": source.text[:11], "codes": [code.pk]},
        "undo": {"batch": str(CodingEvent.objects.get(coding_id=coding.pk).batch)},
        "users": {
            "outsider": outsider,
            "researcher": researcher,
            "supervisor": supervisor,
            "admin": admin,
        },
    }


def _url(name, world):
    for kwargs_names in (
        (),
        ("slug",),
        ("slug", "source_id"),
        ("slug", "case_id"),
        ("slug", "attribute_id"),
        ("slug", "member_id"),
        ("slug", "code_id"),
        ("slug", "memo_id"),
        ("slug", "source_id", "coding_id"),
        ("slug", "coding_id"),
        ("slug", "conclusion_id"),
        ("job_id",),
        ("uidb64", "token"),
    ):
        try:
            return reverse(name, kwargs={key: world[key] for key in kwargs_names})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}; extend _url")


CASES = [
    (name, method, data, persona, expected)
    for name, rows in ACCESS.items()
    for method, data, answers in rows
    for persona, expected in answers.items()
]


@pytest.mark.parametrize(
    ("name", "method", "data", "persona", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES],
)
def test_access(client, world, name, method, data, persona, expected):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    url = _url(name, world)
    if isinstance(data, str):
        data = world[data]
    elif callable(data):
        data = data(world)
    response = getattr(client, method)(url, data or {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected, (url, persona)


def test_source_kinds_follow_roles(project, admin, researcher):
    """Researchers add interviews and observations; documentation is the admin's."""
    admin_membership = Membership.objects.get(user=admin)
    researcher_membership = Membership.objects.get(user=researcher)
    assert researcher_membership.can_add_source(Source.Kind.INTERVIEW)
    assert researcher_membership.can_add_source(Source.Kind.OBSERVATION)
    assert not researcher_membership.can_add_source(Source.Kind.DOCUMENT)
    assert admin_membership.can_add_source(Source.Kind.DOCUMENT)
