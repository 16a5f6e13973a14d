"""The demo study: a fictional corpus modelled on the reference case study.

`build_demo_corpus()` creates the accounts, the project, its cases and its
sources from `corpus/` and is idempotent: a second call changes nothing.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from interviews import services
from interviews.models import Attribute, Case, Membership, Project, Source

CORPUS = Path(__file__).parent / "corpus"
SLUG = "kesra-puncak"
PASSWORD = "demo"  # noqa: S105 - published demo accounts, never for real data
ACCOUNTS = [
    ("admin", "Admin Demo", Membership.Role.ADMIN),
    ("researcher", "Rahmat Hidayat", Membership.Role.RESEARCHER),
    ("researcher2", "Sri Wahyuni", Membership.Role.RESEARCHER),
    ("supervisor", "Prof. Supervisor Demo", Membership.Role.SUPERVISOR),
]
DESCRIPTION = (
    "Studi kasus kualitatif tentang koordinasi kebijakan teknis di Bagian Kesejahteraan "
    "Rakyat (Kesra), Sekretariat Daerah Kabupaten Puncak, Papua Tengah: lima informan "
    "kunci diwawancarai, kantor diamati, dan dokumen dikumpulkan.\n\n"
    "DEMO: semua orang, wawancara, catatan observasi dan dokumen dalam proyek ini ditulis "
    "khusus untuk demo Kesra Coord. Tidak ada yang berasal dari orang atau dokumen nyata."
)


@dataclass(frozen=True)
class DemoCorpus:
    project: Project
    users: dict[str, object]
    created: bool


def _manifest() -> dict:
    return json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _attribute_type(value) -> str:
    if isinstance(value, bool):
        return Attribute.Type.BOOLEAN
    if isinstance(value, int):
        return Attribute.Type.INTEGER
    if isinstance(value, float):
        return Attribute.Type.FLOAT
    return Attribute.Type.TEXT


def ensure_accounts() -> dict[str, object]:
    users = {}
    User = get_user_model()
    for username, full_name, _role in ACCOUNTS:
        first, _space, last = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first or last, "last_name": last}
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


@transaction.atomic
def build_demo_corpus() -> DemoCorpus:
    users = ensure_accounts()
    project = Project.objects.filter(slug=SLUG).first()
    if project is not None:
        return DemoCorpus(project, users, created=False)

    project = Project.objects.create(
        slug=SLUG,
        name="Koordinasi Kebijakan Teknis Bagian Kesra, Sekretariat Daerah Kabupaten Puncak",
        description=DESCRIPTION,
        language=Project.Language.INDONESIAN,
    )
    for username, _name, role in ACCOUNTS:
        Membership.objects.create(project=project, user=users[username], role=role)

    manifest = _manifest()
    attributes: dict[str, Attribute] = {}
    cases: dict[str, Case] = {}
    for entry in manifest["cases"]:
        case = Case.objects.create(
            project=project, name=entry["name"], description=entry.get("description", "")
        )
        values = {}
        for name, value in entry.get("attributes", {}).items():
            if name not in attributes:
                attributes[name] = Attribute.objects.create(
                    project=project, name=name, type=_attribute_type(value), order=len(attributes)
                )
            values[attributes[name]] = str(value)
        services.set_case_values(case=case, values=values)
        cases[entry["key"]] = case

    for entry in manifest["sources"]:
        kind = entry["kind"]
        creator = users["admin"] if kind == Source.Kind.DOCUMENT else users["researcher"]
        services.add_source(
            project=project,
            kind=kind,
            title=entry["title"],
            text=(CORPUS / entry["file"]).read_text(encoding="utf-8"),
            date=dt.date.fromisoformat(entry["date"]) if entry.get("date") else None,
            place=entry.get("place", ""),
            author=entry.get("author", ""),
            cases=[cases[key] for key in entry.get("cases", [])],
            created_by=creator,
            original_name=entry["file"],
            format="txt",
        )
    return DemoCorpus(project, users, created=True)
