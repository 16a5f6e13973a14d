"""The agreement table: numbers, defaults, undefined values, exports, speed, the demo study."""

import csv
import io

import krippendorff
import numpy as np
import openpyxl
import pytest
from django.urls import reverse

from coding import services
from coding.models import Coding

from ..conftest import make_source
from .conftest import table_rows


def page_url(project, **params):
    url = reverse("coding:agreement", args=[project.slug])
    query = "&".join(
        f"{key}={v}"
        for key, value in params.items()
        for v in (value if isinstance(value, list) else [value])
    )
    return f"{url}?{query}" if query else url


def per_character(sources, code, a, b):
    """Each character of each source as (A coded it, B coded it): the slow, obvious way."""
    first, second = [], []
    for source in sources:
        marks = {a.pk: [0] * len(source.text), b.pk: [0] * len(source.text)}
        for coding in Coding.objects.filter(source=source, code=code, coder__in=[a, b]):
            for i in range(coding.start, coding.end):
                marks[coding.coder_id][i] = 1
        first += marks[a.pk]
        second += marks[b.pk]
    return first, second


def expected_numbers(first, second):
    n = len(first)
    p_o = sum(x == y for x, y in zip(first, second, strict=True)) / n
    share_a, share_b = sum(first) / n, sum(second) / n
    p_e = share_a * share_b + (1 - share_a) * (1 - share_b)
    kappa = (p_o - p_e) / (1 - p_e)
    alpha = krippendorff.alpha(
        reliability_data=np.array([first, second], dtype=float), level_of_measurement="nominal"
    )
    return round(100 * p_o, 1), round(kappa, 3), round(alpha, 3)


def test_page_numbers_equal_a_character_by_character_count(client, supervisor, study):
    client.force_login(supervisor)
    a, b = study["a"], study["b"]
    response = client.get(page_url(study["sources"][0].project, a=a.pk, b=b.pk))
    assert response.status_code == 200
    rows = table_rows(response.text)
    pooled_a, pooled_b = [], []
    for key in ("forum", "data"):
        code = study["codes"][key]
        first, second = per_character(study["sources"], code, a, b)
        pooled_a += first
        pooled_b += second
        percent, kappa, alpha = expected_numbers(first, second)
        cells = rows[code.name]
        assert cells[:3] == [str(sum(first)), str(sum(second)), str(sum(map(min, first, second)))]
        assert float(cells[3]) == percent
        assert float(cells[4]) == kappa
        assert float(cells[5]) == alpha
    percent, kappa, alpha = expected_numbers(pooled_a, pooled_b)
    overall = rows["Overall (pooled over codes)"]
    assert (float(overall[3]), float(overall[4]), float(overall[5])) == (percent, kappa, alpha)


def test_unused_codes_are_left_out_unless_chosen(client, supervisor, study):
    client.force_login(supervisor)
    response = client.get(page_url(study["sources"][0].project))
    assert set(table_rows(response.text)) == {"Forum", "Data", "Overall (pooled over codes)"}


def test_a_code_neither_coder_used_shows_dashes_with_a_reason(client, supervisor, study):
    client.force_login(supervisor)
    unused = study["codes"]["unused"]
    response = client.get(
        page_url(study["sources"][0].project, codes=[unused.pk, study["codes"]["data"].pk])
    )
    cells = table_rows(response.text)["Geografi"]
    assert cells == ["0", "0", "0", "100.0", "—", "—", "0/0", "0/0", "—"]
    assert "Neither coder used this on the chosen text" in response.text
    assert "nan" not in response.text.lower()


def test_both_coders_coding_everything_is_undefined_not_an_error(
    client, project, researcher, coder_b, supervisor
):
    source = make_source(project, text="Semua dikode.")
    code = services.create_code(project=project, name="Semua")
    for coder in (researcher, coder_b):
        services.apply_code(
            source=source,
            start=0,
            end=len(source.text),
            passage=source.text,
            code=code,
            coder=coder,
        )
    client.force_login(supervisor)
    response = client.get(page_url(project))
    assert table_rows(response.text)["Semua"] == [
        "13",
        "13",
        "13",
        "100.0",
        "—",
        "—",
        "1/1",
        "1/1",
        "100.0",
    ]
    assert "Both coders coded every character" in response.text


def test_segment_agreement_counts_each_coders_passages(client, supervisor, study):
    """Forum: A's long passage is 37% covered by B's short one; B's is covered whole."""
    client.force_login(supervisor)
    project = study["sources"][0].project
    rows = table_rows(client.get(page_url(project)).text)
    # Source one: A 0/1, B 1/1. Source two: 22 of A's 28 and of B's 35 characters shared.
    assert rows["Forum"][6:] == ["1/2", "2/2", "75.0"]
    # Data: one identical pair; A's emoji passage and B's "Jalan ke distrik" have no partner.
    assert rows["Data"][6:] == ["1/2", "1/2", "50.0"]
    strict = table_rows(client.get(page_url(project, threshold=70)).text)
    assert strict["Forum"][6:] == ["1/2", "1/2", "50.0"]
    lenient = table_rows(client.get(page_url(project, threshold=30)).text)
    assert lenient["Forum"][6:] == ["2/2", "2/2", "100.0"]


def test_default_sources_are_those_both_coded(client, supervisor, study, researcher):
    project = study["sources"][0].project
    alone = make_source(project, title="Hanya Rina", text="Teks yang hanya dikode satu orang.")
    services.apply_code(
        source=alone, start=0, end=4, passage="Teks", code=study["codes"]["data"], coder=researcher
    )
    client.force_login(supervisor)
    response = client.get(page_url(project))
    assert [row.source.title for row in response.context["report"].sources] == [
        "Wawancara Maria",
        "Wawancara Natan",
    ]
    chosen = client.get(page_url(project, sources=[alone.pk]))
    assert [row.source.title for row in chosen.context["report"].sources] == ["Hanya Rina"]
    assert table_rows(chosen.text)["Data"][:3] == ["4", "0", "0"]


def test_the_same_coder_twice_is_refused_politely(client, supervisor, study):
    client.force_login(supervisor)
    a = study["a"]
    response = client.get(page_url(study["sources"][0].project, a=a.pk, b=a.pk))
    assert response.status_code == 200
    assert "Choose two different coders." in response.text
    assert "report" not in response.context


def test_with_one_coder_the_page_explains_what_is_missing(client, project, researcher, source):
    code = services.create_code(project=project, name="Forum")
    services.apply_code(
        source=source, start=0, end=5, passage=source.text[:5], code=code, coder=researcher
    )
    client.force_login(researcher)
    response = client.get(page_url(project))
    assert response.status_code == 200
    assert "Agreement needs two people who have coded in this project." in response.text


def test_every_number_is_explained_with_its_source(client, researcher, study):
    client.force_login(researcher)
    response = client.get(page_url(study["sources"][0].project))
    for phrase in ("Cohen 1960", "Krippendorff 2011", "Each character of each chosen source"):
        assert phrase in response.text


def _cell(value: str):
    return None if value in {"", "—"} else float(value.split("/")[0])


def test_csv_holds_the_numbers_of_the_page(client, supervisor, study):
    client.force_login(supervisor)
    project = study["sources"][0].project
    page = table_rows(
        client.get(page_url(project, codes=[c.pk for c in study["codes"].values()])).text
    )
    response = client.get(
        page_url(project, codes=[c.pk for c in study["codes"].values()], export="csv")
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = lines[0], {line[0]: line for line in lines[1:]}
    assert header[:8] == [
        "Code",
        "Characters (units)",
        "Coded by rina_researcher",
        "Coded by rudi_researcher",
        "Coded by both",
        "Percent agreement (%)",
        "Cohen's kappa",
        "Krippendorff's alpha",
    ]
    assert set(rows) == set(page)
    for name, cells in page.items():
        line = rows[name]
        assert [_cell(v) for v in line[2:8]] == [_cell(v) for v in cells[:6]]
        assert f"{line[8]}/{line[9]}" == cells[6]
        assert f"{line[10]}/{line[11]}" == cells[7]
        assert _cell(line[12]) == _cell(cells[8])
    assert "Neither coder used this" in rows["Geografi"][13]


def test_xlsx_holds_the_numbers_of_the_page_and_the_settings(client, supervisor, study):
    client.force_login(supervisor)
    project = study["sources"][0].project
    page = table_rows(client.get(page_url(project, threshold=40)).text)
    response = client.get(page_url(project, threshold=40, export="xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Codes", "Sources", "About"]
    rows = {row[0]: row for row in book["Codes"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(page)
    for name, cells in page.items():
        row = rows[name]
        assert [None if v in (None, "") else float(v) for v in row[2:8]] == [
            _cell(v) for v in cells[:6]
        ]
        assert f"{row[8]}/{row[9]}" == cells[6]
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Passage overlap (%)"] == 40
    sources = [row[0] for row in book["Sources"].iter_rows(min_row=2, values_only=True)]
    assert sources == ["Wawancara Maria", "Wawancara Natan"]


@pytest.mark.parametrize("codings_per_source", [2, 60])
def test_page_queries_do_not_grow_with_codings(
    client, supervisor, study, codings_per_source, django_assert_max_num_queries
):
    a, b = study["a"], study["b"]
    code = study["codes"]["forum"]
    for source in study["sources"]:
        for i in range(codings_per_source):
            start = (i * 3) % (len(source.text) - 10)
            services.apply_code(
                source=source,
                start=start,
                end=start + 7,
                passage=source.text[start : start + 7],
                code=code,
                coder=a if i % 2 else b,
            )
    client.force_login(supervisor)
    # 9: one of them asks for the suggestion models that may be compared as a coder.
    with django_assert_max_num_queries(9):
        response = client.get(page_url(study["sources"][0].project, a=a.pk, b=b.pk))
    assert response.status_code == 200


def test_the_demo_study_gives_meaningful_numbers(client, db):
    from coding.demo import code_demo_corpus
    from interviews.demo import build_demo_corpus

    demo = build_demo_corpus()
    code_demo_corpus(demo)
    client.force_login(demo.users["supervisor"])
    response = client.get(
        page_url(demo.project, a=demo.users["researcher"].pk, b=demo.users["researcher2"].pk)
    )
    report = response.context["report"]
    assert sorted(row.source.title for row in report.sources) == sorted(
        s.title
        for s in demo.project.sources.filter(
            original_name__in=["wawancara-01-murib.txt", "wawancara-04-tabuni.txt"]
        )
    )
    overall = report.overall
    assert 0.3 < overall.kappa < 0.95
    assert 0.3 < overall.alpha < 0.95
    assert 20 < overall.segment < 100
    # Some codes agree perfectly, some not at all: the table tells them apart.
    kappas = [row.stats.kappa for row in report.codes]
    assert max(kappas) == 1 and min(kappas) < 0.5
