"""Rows of the permission walk (tests/test_permissions.py) for this part's views."""

from django.core.files.uploadedfile import SimpleUploadedFile

PERSONAS = ("anonymous", "outsider", "researcher", "supervisor", "admin")
LOGIN = "login"  # expected: redirect to the sign-in page


def row(*answers):
    return dict(zip(PERSONAS, answers, strict=True))


def codebook_csv(world):
    return {"file": SimpleUploadedFile("kode.csv", b"path,definition\nBaru,Kode baru\n")}


def cases_csv(world):
    return {"file": SimpleUploadedFile("kasus.csv", b"Kasus,Umur\nIbu Sari,40\n")}


def handover(world):
    """A placeholder coder with one coding, handed over to the world's researcher."""
    from coding.exchange.create import make_placeholder
    from coding.models import Coding
    from coding.services import apply_code
    from interviews.models import Membership

    coding = Coding.objects.select_related("source", "code").get(pk=world["coding_id"])
    project = coding.source.project
    placeholder = make_placeholder(project=project, refi_id="rina", guid=None)
    text = coding.source.text
    apply_code(
        source=coding.source, start=0, end=5, passage=text[:5], code=coding.code, coder=placeholder
    )
    member = Membership.objects.get(project=project, user=world["users"]["researcher"])
    return {"placeholder": placeholder.memberships.get().pk, "member": member.pk}


ACCESS = {
    "coding:exchange": [
        ("get", None, row(LOGIN, 404, 200, 200, 200)),
        ("post", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:project_export": [
        ("get", None, row(LOGIN, 404, 403, 403, 200)),
        # POST starts the export as a job and opens its page.
        ("post", {}, row(LOGIN, 404, 403, 403, 302)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:codebook_export": [
        ("get", {"format": "qdc"}, row(LOGIN, 404, 200, 200, 200)),
        ("get", {"format": "docx"}, row(LOGIN, 404, 200, 200, 200)),
        ("get", {"format": "nope"}, row(LOGIN, 404, 404, 404, 404)),
    ],
    "coding:codings_export": [
        ("get", {"format": "xlsx"}, row(LOGIN, 404, 200, 200, 200)),
        # POST starts the whole project's export as a job and opens its page.
        ("post", {"format": "csv"}, row(LOGIN, 404, 302, 302, 302)),
        ("post", {"format": "nope"}, row(LOGIN, 404, 404, 404, 404)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:codebook_import": [
        ("get", None, row(LOGIN, 404, 200, 403, 200)),
        ("post", codebook_csv, row(LOGIN, 404, 200, 403, 200)),
    ],
    "coding:cases_import": [
        ("get", None, row(LOGIN, 404, 200, 403, 200)),
        ("post", cases_csv, row(LOGIN, 404, 200, 403, 200)),
    ],
    "coding:placeholder_handover": [
        ("get", None, row(LOGIN, 404, 403, 403, 200)),
        ("post", handover, row(LOGIN, 404, 403, 403, 302)),
        ("put", {}, row(LOGIN, 405, 405, 405, 405)),
    ],
    "coding:project_import": [
        ("get", None, row(LOGIN, 200, 200, 200, 200)),
        ("post", {}, row(LOGIN, 200, 200, 200, 200)),
    ],
}
