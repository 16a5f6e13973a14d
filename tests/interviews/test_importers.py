"""The importers read real files of every supported format, built here with the libraries."""

import io
import logging
import random
import re
import unicodedata
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import given
from hypothesis import strategies as st
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, LineBreak, List, ListItem, P, S
from pypdf import PdfReader, PdfWriter

from interviews.importers import (
    SUPPORTED_EXTENSIONS,
    Extracted,
    ImportFailed,
    extract_text,
    normalise_text,
)

SAMPLE = "Koordinasi berjalan situasional — café, naïve"
EMOJI = "🙂"


def fails(filename: str, data: bytes) -> str:
    with pytest.raises(ImportFailed) as caught:
        extract_text(filename, data)
    assert caught.value.message == str(caught.value)
    return caught.value.message


# --- builders ---------------------------------------------------------------------------


def make_docx(*, empty: bool = False) -> bytes:
    document = docx.Document()
    if not empty:
        document.add_heading("Catatan Lapangan", level=1)
        document.add_paragraph(f"{SAMPLE} {EMOJI}")
        run = document.add_paragraph().add_run("Baris satu")
        run.add_break()
        run.add_text("baris dua")
        table = document.add_table(rows=2, cols=2)
        for row, values in zip(
            table.rows, [("Nama", "Peran"), ("Ibu Sari", "Kepala Bagian")], strict=True
        ):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
        document.add_paragraph("Penutup.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_odt(*, empty: bool = False) -> bytes:
    document = OpenDocumentText()
    if not empty:
        document.text.addElement(H(outlinelevel=1, text="Catatan Lapangan"))
        document.text.addElement(P(text=f"{SAMPLE} {EMOJI}"))
        lines = P(text="Baris satu")
        lines.addElement(LineBreak())
        lines.addText("baris")
        lines.addElement(S(c=3))
        lines.addText("dua")
        document.text.addElement(lines)
        table = Table(name="Informan")
        table.addElement(TableColumn(numbercolumnsrepeated=2))
        for values in [("Nama", "Peran"), ("Ibu Sari", "Kepala Bagian")]:
            row = TableRow()
            for value in values:
                cell = TableCell()
                cell.addElement(P(text=value))
                row.addElement(cell)
            table.addElement(row)
        document.text.addElement(table)
        items = List()
        for value in ("Satu", "Dua"):
            item = ListItem()
            item.addElement(P(text=value))
            items.addElement(item)
        document.text.addElement(items)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def make_pdf(*pages: list[str]) -> bytes:
    """A PDF with one Helvetica text object per page, written byte by byte."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    bodies: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: font}
    kids = []
    for number, lines in enumerate(pages):
        content_id, page_id = 4 + 2 * number, 5 + 2 * number
        ops = [b"BT /F1 12 Tf 72 720 Td 14 TL"]
        for line in lines:
            escaped = line.encode("cp1252").replace(b"\\", b"\\\\")
            ops.append(b"(" + escaped.replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*")
        stream = b"\n".join([*ops, b"ET"])
        bodies[content_id] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        bodies[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_id
        )
        kids.append(b"%d 0 R" % page_id)
    bodies[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(bodies):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
    xref = len(out)
    size = max(bodies) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, user: str, owner: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing members (None drops one) and adding new ones."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            if member.filename not in replace:
                target.writestr(member, source.read(member))
        for name, content in replace.items():
            if content is not None:
                target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- normalise_text ---------------------------------------------------------------------


def test_normalise_applies_the_offset_rule():
    raw = (
        "\ufeff\n  \nSatu  \r\nDua\rTiga\u2028Empat\u2029Lima\fEnam\x00\x07\t\n\n\n\n\nTujuh \t\n\n"
    )
    assert normalise_text(raw) == "Satu\nDua\nTiga\nEmpat\nLima\nEnam\n\nTujuh"


def test_normalise_composes_to_nfc():
    assert normalise_text("cafe\u0301") == "café"
    assert normalise_text("e\u0000\u0301") == "é"  # a dropped control does not block NFC


def test_normalise_composes_a_letter_with_thousands_of_marks_as_nfc_would():
    # Marks of two classes alternate: CPython's own NFC sorts them by insertion, in time
    # quadratic in the run (minutes for a few hundred KB); ours sorts the run once.
    hostile = "Data a" + "\u0316\u0301" * 3000 + " e\u0301 selesai"
    assert normalise_text(hostile) == unicodedata.normalize("NFC", hostile)
    assert normalise_text(hostile).endswith(" é selesai")


def test_normalise_keeps_tabs_indentation_and_emoji():
    assert normalise_text("\tA 👩‍🔬\n    b") == "\tA 👩‍🔬\n    b"


_TRICKY = st.sampled_from(
    ["\n", "\r", "\r\n", " ", "\t", "\u2028", "\u2029", "\f", "\v", "\x85", "\x00", "\x1b",
     "\ufeff", "e", "\u0301", "\u0327", "\u00a0", "\u3000", "é", "😀", "\u200d"]
)  # fmt: skip


@given(st.one_of(st.text(), st.lists(_TRICKY).map("".join)))
def test_normalise_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once


# --- plain text -------------------------------------------------------------------------

TEXT = f"{SAMPLE} {EMOJI}\n\nParagraf kedua."


@pytest.mark.parametrize(
    ("data", "warning"),
    [
        (TEXT.encode(), None),
        (TEXT.encode("utf-8-sig"), None),
        (TEXT.encode("utf-16"), "UTF-16"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16"),
        (TEXT.encode("utf-16-be"), "UTF-16"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16le-no-bom", "utf16be-no-bom"],
)
def test_txt_in_unicode_encodings(data, warning):
    extracted = extract_text("wawancara.txt", data)
    assert extracted == Extracted(
        text=TEXT, format="txt", warnings=(f"Read as {warning}.",) if warning else ()
    )


ASCII_TRANSCRIPT = "Pewawancara: Apa kabar?\n\nIbu Maria: Baik, rapat hanya kalau ada masalah."


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_ascii_only_utf16_without_bom_is_read(codec):
    # Its bytes are valid UTF-8 too (full of NULs): the NUL pattern must win.
    extracted = extract_text("wawancara.txt", ASCII_TRANSCRIPT.encode(codec))
    assert extracted == Extracted(
        text=ASCII_TRANSCRIPT, format="txt", warnings=("Read as UTF-16.",)
    )


def test_utf8_text_with_stray_nul_bytes_is_not_taken_for_utf16():
    assert "could not be decoded" in fails("a.txt", b"Halo dunia\x00 dan seterusnya lagi")


def test_txt_in_windows_1252():
    extracted = extract_text("catatan.txt", b"caf\xe9 \x93quoted\x94 na\xefve \x96 ok")
    assert extracted.text == "café “quoted” naïve \u2013 ok"
    assert extracted.warnings == ("Read as Windows-1252.",)


def test_txt_in_a_non_western_legacy_encoding():
    extracted = extract_text("catatan.txt", "Привет, как дела? Это тест.".encode("cp1251"))
    assert extracted.text == "Привет, как дела? Это тест."
    assert extracted.warnings == ("Read as Windows-1251.",)


def test_txt_mostly_utf8_keeps_utf8_and_warns():
    extracted = extract_text("catatan.txt", "café naïve — ".encode() + b"\xff")
    assert extracted.text == "café naïve — \ufffd"
    assert "replaced" in extracted.warnings[0]


def test_crlf_becomes_lf_and_decomposed_becomes_nfc():
    data = "Pewawancara: Apa kabar?\r\nIbu Maria: Baik, cafe\u0301.\r\n\r\n\r\n\r\nSelesai.\r\n"
    extracted = extract_text("w.md", data.encode())
    assert extracted.text == "Pewawancara: Apa kabar?\nIbu Maria: Baik, café.\n\nSelesai."
    assert extracted.format == "md"


def test_markdown_source_is_kept():
    assert (
        extract_text("o.md", b"# Observasi\n\n- *ruang* arsip").text
        == "# Observasi\n\n- *ruang* arsip"
    )


def test_extension_is_case_insensitive():
    assert extract_text("NOTES.TXT", b"Halo").format == "txt"


@pytest.mark.parametrize(
    "data",
    [random.Random(7).randbytes(3000), b"Halo\x00dunia dan seterusnya\x00\x00\x00\x01"],
    ids=["random-bytes", "nul-bytes"],
)
def test_undecodable_txt_fails(data):
    assert "could not be decoded. Save it as UTF-8" in fails("acak.txt", data)


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(64), make_docx(), make_pdf(["Halo"])],
    ids=["png", "zip", "pdf"],
)
def test_txt_that_is_really_binary_is_refused(data):
    message = fails("catatan.txt", data)
    assert message == "The file's content is not a valid TXT file (is the extension right?)."


# --- docx -------------------------------------------------------------------------------

OFFICE_TEXT = (
    f"Catatan Lapangan\n\n{SAMPLE} {EMOJI}\n\nBaris satu\nbaris dua\n\n"
    "Nama | Peran\n\nIbu Sari | Kepala Bagian"
)


def test_docx_paragraphs_headings_and_tables():
    extracted = extract_text("wawancara.docx", make_docx())
    assert extracted == Extracted(text=f"{OFFICE_TEXT}\n\nPenutup.", format="docx")


def test_docx_tracked_changes_cells_and_content_controls():
    document = docx.Document()
    paragraph = document.add_paragraph("Rapat ")
    paragraph._p.append(
        parse_xml(f"<w:ins {nsdecls('w')} w:id='1' w:author='A'><w:r><w:t>jadi</w:t></w:r></w:ins>")
    )
    paragraph._p.append(
        parse_xml(
            f"<w:del {nsdecls('w')} w:id='2' w:author='A'>"
            "<w:r><w:delText>batal</w:delText></w:r></w:del>"
        )
    )
    paragraph.add_run(" hari ini.")
    cell = document.add_table(rows=1, cols=2).rows[0].cells[0]
    cell.text = "Baris satu"
    cell.add_paragraph("")
    cell.add_paragraph("Baris dua")
    document.element.body.insert(
        -1,
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Dalam kontrol</w:t></w:r>"
            "</w:p></w:sdtContent></w:sdt>"
        ),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract_text("w.docx", buffer.getvalue())
    assert extracted.text == "Rapat jadi hari ini.\n\nBaris satu\nBaris dua |\n\nDalam kontrol"


def _docx_with_paragraph(inner: str, doctype: str = "") -> bytes:
    """A docx whose one paragraph's XML is `inner`, written by hand (as other tools do)."""
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    xml = xml.replace("<w:r><w:t>PLACEHOLDER</w:t></w:r>", inner)
    if doctype:
        xml = xml.replace("?>", "?>" + doctype, 1)
    return rezip(data, {"word/document.xml": xml.encode()})


@pytest.mark.parametrize(
    ("inner", "doctype", "expected"),
    [
        ("<w:r><w:t>Kepala &amp; staf bekerja</w:t></w:r>", "", "Kepala & staf bekerja"),
        ("<w:r><w:t>Caf&#233; &#x1F642; di sana</w:t></w:r>", "", "Café 🙂 di sana"),
        (
            "<w:r><w:t xml:space='preserve'>Satu &ent; dua tiga</w:t></w:r>",
            '<!DOCTYPE w:document [<!ENTITY ent "X">]>',
            "Satu &ent; dua tiga",
        ),
        ("<w:r><w:t>Awal<!-- catatan --> akhir</w:t></w:r>", "", "Awal akhir"),
        (
            "<w:r><w:t xml:space='preserve'>Suhu 30</w:t><w:sym w:font='Symbol' w:char='00B0'/>"
            "<w:t xml:space='preserve'> di siang hari</w:t></w:r>"
            "<w:r><w:sym w:font='Wingdings' w:char='F04A'/>"
            "<w:t xml:space='preserve'> ya</w:t></w:r>",
            "",
            "Suhu 30° di siang hari ya",
        ),
    ],
    ids=["amp", "character-references", "custom-entity", "comment", "symbols"],
)
def test_docx_text_after_an_entity_or_symbol_is_kept(inner, doctype, expected):
    data = _docx_with_paragraph(inner, doctype)
    assert extract_text("w.docx", data).text == expected


def test_docx_that_is_not_a_zip():
    assert "not a valid DOCX file" in fails("w.docx", b"Ini bukan dokumen Word.")


def test_docx_that_is_an_odt():
    assert "not a valid DOCX file" in fails("w.docx", make_odt())


def test_old_doc_renamed_to_docx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert "old Word (.doc) file" in fails("w.docx", ole)


def test_password_protected_docx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    assert "password-protected" in fails("w.docx", ole)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: rezip(data, {"word/document.xml": None}),
        lambda data: rezip(data, {"word/document.xml": b"<w:document><w:body><w:p>"}),
    ],
    ids=["truncated", "no-document-xml", "malformed-xml"],
)
def test_damaged_docx(damage):
    assert fails("w.docx", damage(make_docx())) == "The DOCX file is damaged and cannot be read."


def test_docx_without_text():
    assert fails("w.docx", make_docx(empty=True)) == "The file contains no text."


def test_library_errors_become_the_damaged_message(monkeypatch, caplog):
    def explode(stream):
        raise RuntimeError("boom")

    data = make_docx()
    monkeypatch.setattr(docx, "Document", explode)
    with caplog.at_level(logging.WARNING, logger="interviews.importers.base"):
        assert "damaged" in fails("w.docx", data)
    assert "boom" in caplog.text


# --- zip bombs and unsafe zips, for both zip formats --------------------------------------

ZIPPED = [("w.docx", "DOCX", make_docx), ("w.odt", "ODT", make_odt)]


@pytest.mark.parametrize(("name", "label", "make"), ZIPPED, ids=["docx", "odt"])
def test_highly_compressed_member_is_refused(name, label, make):
    bomb = rezip(make(), {"media/zeros.bin": bytes(11 * 1024 * 1024)})
    message = fails(name, bomb)
    assert (
        message == f"The {label} file contains a part compressed more than 100:1 and was refused."
    )


@pytest.mark.parametrize(("name", "label", "make"), ZIPPED, ids=["docx", "odt"])
def test_total_uncompressed_size_is_limited(name, label, make, settings):
    settings.MAX_UNCOMPRESSED_BYTES = 2048
    message = fails(name, make())
    assert message.startswith(f"The {label} file expands to more than 2.0")
    assert message.endswith("and was refused.")


@pytest.mark.parametrize(("name", "label", "make"), ZIPPED, ids=["docx", "odt"])
def test_too_many_members_are_refused(name, label, make, settings):
    settings.MAX_ZIP_MEMBERS = 2000
    many = rezip(make(), {f"junk/{n}.xml": b"" for n in range(2001)})
    assert fails(name, many) == f"The {label} file has more than 2000 parts and was refused."


@pytest.mark.parametrize("path", ["../../evil.xml", "/etc/evil.xml", "word/../../evil.xml"])
@pytest.mark.parametrize(("name", "label", "make"), ZIPPED, ids=["docx", "odt"])
def test_unsafe_member_paths_are_refused(name, label, make, path):
    message = fails(name, rezip(make(), {path: b"<x/>"}))
    assert message == f"The {label} file contains an unsafe path and was refused."


# --- odt --------------------------------------------------------------------------------


def test_odt_paragraphs_headings_tables_and_lists():
    extracted = extract_text("wawancara.odt", make_odt())
    assert extracted.format == "odt"
    assert extracted.text == (
        f"Catatan Lapangan\n\n{SAMPLE} {EMOJI}\n\nBaris satu\nbaris   dua\n\n"
        "Nama | Peran\n\nIbu Sari | Kepala Bagian\n\nSatu\n\nDua"
    )


def test_odt_without_mimetype():
    data = rezip(make_odt(), {"mimetype": None})
    assert "not a valid ODT file" in fails("w.odt", data)


def test_odt_that_is_a_spreadsheet():
    buffer = io.BytesIO()
    OpenDocumentSpreadsheet().write(buffer)
    assert "not a valid ODT file" in fails("w.odt", buffer.getvalue())


def test_odt_that_is_not_a_zip():
    assert "not a valid ODT file" in fails("w.odt", b"plain words")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: rezip(data, {"content.xml": b"<office:document-content><broken"}),
        lambda data: rezip(data, {"content.xml": None}),
        lambda data: data[:-200],
    ],
    ids=["malformed-xml", "no-content-xml", "truncated"],
)
def test_damaged_odt(damage):
    assert fails("w.odt", damage(make_odt())) == "The ODT file is damaged and cannot be read."


def test_odt_with_entity_declarations_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        b"&b;</office:document-content>"
    )
    assert "damaged" in fails("w.odt", rezip(make_odt(), {"content.xml": bomb}))


def test_password_protected_odt():
    data = make_odt()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.read("META-INF/manifest.xml")
    manifest = re.sub(
        rb'(<manifest:file-entry manifest:full-path="content.xml"[^>]*)/>',
        rb"\1><manifest:encryption-data/></manifest:file-entry>",
        manifest,
    )
    assert b"encryption-data" in manifest
    protected = rezip(data, {"META-INF/manifest.xml": manifest})
    assert "password-protected" in fails("w.odt", protected)


def test_odt_without_text():
    assert fails("w.odt", make_odt(empty=True)) == "The file contains no text."


# --- pdf --------------------------------------------------------------------------------

PDF_PAGES = (["Halaman satu:", SAMPLE], ["Halaman dua (akhir)."])


def test_pdf_text_layer_with_pages_separated():
    extracted = extract_text("laporan.pdf", make_pdf(*PDF_PAGES))
    assert extracted == Extracted(
        text=f"Halaman satu:\n{SAMPLE}\n\nHalaman dua (akhir).", format="pdf"
    )


def test_pdf_without_header():
    assert "not a valid PDF file" in fails("l.pdf", b"Bukan PDF sama sekali.")


def test_pdf_without_text_layer():
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "has no text layer" in fails("scan.pdf", buffer.getvalue())


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n" + random.Random(3).randbytes(500), make_pdf(*PDF_PAGES)[:400]],
    ids=["garbage", "truncated"],
)
def test_damaged_pdf(data):
    assert fails("l.pdf", data) == "The PDF file is damaged and cannot be read."


def test_pdf_with_a_user_password_is_refused():
    protected = encrypt_pdf(make_pdf(*PDF_PAGES), user="rahasia", owner="pemilik")
    assert PdfReader(io.BytesIO(protected)).is_encrypted
    assert fails("l.pdf", protected) == (
        "This PDF is password-protected. Remove the protection and upload it again."
    )


def test_pdf_with_only_an_owner_password_is_read_with_a_warning():
    protected = encrypt_pdf(make_pdf(*PDF_PAGES), user="", owner="pemilik")
    extracted = extract_text("l.pdf", protected)
    assert extracted.text.startswith(f"Halaman satu:\n{SAMPLE}")
    assert "protected against changes" in extracted.warnings[0]


# --- html -------------------------------------------------------------------------------


def test_html_blocks_breaks_and_tables():
    page = f"""<!DOCTYPE html><html><head><title>Judul tab</title>
    <style>p {{ color: red }}</style><script>alert("x")</script></head>
    <body><h1>Catatan   Lapangan</h1>
    <p>{SAMPLE} {EMOJI} &amp; <b>tebal</b>
    lanjut<br>baris baru</p><!-- komentar -->
    <div><div>Bersarang</div>Setelahnya</div>
    <table><tr><th>Nama</th><th>Peran</th></tr><tr><td>Ibu Sari</td><td>Kepala</td></tr></table>
    <ul><li>Satu</li><li>Dua</li></ul><pre>  kode
   tetap</pre></body></html>"""
    extracted = extract_text("halaman.HTM", page.encode())
    assert extracted == Extracted(
        text=(
            f"Catatan Lapangan\n\n{SAMPLE} {EMOJI} & tebal lanjut\nbaris baru\n\n"
            "Bersarang\n\nSetelahnya\n\nNama | Peran\n\nIbu Sari | Kepala\n\n"
            "Satu\n\nDua\n\n  kode\n   tetap"
        ),
        format="html",
    )


def test_html_cells_keep_their_paragraphs_as_lines():
    page = "<table><tr><td><p>Satu</p><p></p><p>Dua</p></td><td>Tiga</td></tr></table>"
    assert extract_text("h.html", page.encode()).text == "Satu\nDua | Tiga"


def test_html_with_a_nonsense_charset_is_detected():
    page = f'<meta charset="hex"><p>{SAMPLE}</p>'
    assert extract_text("h.html", page.encode()).text == SAMPLE


def test_html_declared_charset_is_honoured():
    page = f'<html><head><meta charset="windows-1252"></head><p>{SAMPLE}</p></html>'
    assert extract_text("h.html", page.encode("cp1252")).text == SAMPLE


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE html [ <!ENTITY sapa "Selamat pagi"> ]>',
        '<!doctype html [\n<!ENTITY a "x]>y">\n<!-- ]> -->\n<!ELEMENT p ANY>\n]  >',
        '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" [ <!ENTITY b "c"> ]>',
    ],
    ids=["entity", "brackets-in-strings-and-comments", "xhtml-public-id"],
)
def test_html_with_an_internal_dtd_keeps_it_out_of_the_text(doctype):
    page = f"{doctype}\n<html><body><p>Halo &amp; dunia</p><p>Dua</p></body></html>"
    assert extract_text("h.html", page.encode()).text == "Halo & dunia\n\nDua"


def test_html_with_an_unclosed_internal_dtd_is_still_read():
    page = b'<!DOCTYPE html [ <!ENTITY a "b">\n<p>Halo</p>'
    assert "Halo" in extract_text("h.html", page).text


def test_html_that_is_a_pdf():
    assert "not a valid HTML file" in fails("h.html", make_pdf(["x"]))


def test_html_without_text():
    assert (
        fails("h.html", b"<html><script>var a = 1;</script></html>") == "The file contains no text."
    )


# --- rtf --------------------------------------------------------------------------------

RTF = (
    rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Helvetica;}}"
    rb"{\info{\title Judul}}\f0\fs24 {\b Catatan Lapangan}\par"
    b"\n"
    rb"Koordinasi berjalan situasional \u8212? caf\'e9, na\'efve \u-10179?\u-8638?\par"
    b"\n"
    rb"Baris satu\line baris dua\par"
    b"\n"
    rb"\trowd\cellx2000\cellx4000 Nama\cell Peran\cell\row"
    rb"\trowd\cellx2000\cellx4000 Ibu Sari\cell Kepala Bagian\cell\row}"
)


def test_rtf_paragraphs_lines_and_tables():
    extracted = extract_text("catatan.rtf", RTF)
    assert extracted.format == "rtf"
    assert extracted.text == OFFICE_TEXT


def test_rtf_that_is_not_rtf():
    assert "not a valid RTF file" in fails("c.rtf", b"Hanya teks biasa.")


# --- subtitles --------------------------------------------------------------------------

VTT = f"""WEBVTT

NOTE dibuat oleh perekam

1
00:00:01.000 --> 00:00:03.000
<v Pewawancara>Bagaimana koordinasinya?</v>

2
00:00:04.250 --> 00:00:06.000 align:start
<v.loud Ibu Maria>{SAMPLE},</v>

3
00:00:06.500 --> 00:00:08.000
<v Ibu Maria><i>sangat</i> &amp; {EMOJI}
baris kedua</v>

00:01:02.900 --> 00:01:04.000
Natan: Jauh.

00:01:05.000 --> 00:01:06.000
tanpa pembicara
"""


def test_vtt_speakers_and_timestamps():
    extracted = extract_text("rekaman.vtt", VTT.encode())
    assert extracted == Extracted(
        text=(
            "[00:00:01] Pewawancara: Bagaimana koordinasinya?\n\n"
            f"[00:00:04] Ibu Maria: {SAMPLE}, sangat & {EMOJI} baris kedua\n\n"
            "[00:01:02] Natan: Jauh.\n\n[00:01:05] tanpa pembicara"
        ),
        format="vtt",
    )


def test_srt_with_bom_crlf_and_leading_blank_lines():
    srt = (
        "\r\n1\r\n00:00:01,000 --> 00:00:02,500\r\nPewawancara: <i>Bagaimana?</i>\r\n\r\n"
        f"2\r\n01:02:03,400 --> 01:02:05,000\r\n{{\\an8}}Ibu Maria: {SAMPLE}\r\n{EMOJI}\r\n\r\n"
        "3\r\n01:02:06,000 --> 01:02:07,000\r\nIbu Maria: Ya.\r\n"
    )
    extracted = extract_text("rekaman.srt", srt.encode("utf-8-sig"))
    assert extracted.text == (
        f"[00:00:01] Pewawancara: Bagaimana?\n\n[01:02:03] Ibu Maria: {SAMPLE} {EMOJI} Ya."
    )
    assert extracted.format == "srt"


def test_vtt_without_header():
    message = fails("r.vtt", b"00:00:01.000 --> 00:00:02.000\nHalo\n")
    assert message == "The subtitle file could not be read: it does not start with WEBVTT."


def test_srt_that_is_not_srt():
    assert "The subtitle file could not be read" in fails("r.srt", b"Sekadar catatan.\n")


def test_vtt_without_cues():
    assert fails("r.vtt", b"WEBVTT\n\nNOTE kosong\n") == "The file contains no text."


def test_srt_that_is_binary():
    assert "The subtitle file could not be read" in fails("r.srt", make_docx())


# --- common checks ----------------------------------------------------------------------


def test_supported_extensions():
    assert SUPPORTED_EXTENSIONS == (
        ".txt", ".md", ".docx", ".odt", ".pdf", ".html", ".htm", ".rtf", ".vtt", ".srt",
    )  # fmt: skip


def test_unsupported_extension():
    message = fails("virus.exe", b"MZ\x90\x00")
    assert message.startswith("Files of type .exe cannot be imported. Supported: .txt, .md,")


def test_missing_extension():
    assert "without an extension cannot be imported" in fails("README", b"Halo")


@pytest.mark.parametrize("name", ["kosong.txt", "kosong.docx", "kosong.pdf", "kosong.vtt"])
def test_empty_file(name):
    assert fails(name, b"") == "The file is empty."


def test_whitespace_only_text():
    assert fails("spasi.txt", b" \r\n\t\n ") == "The file contains no text."


def test_size_limit_comes_from_settings(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    message = fails("besar.txt", b"a" * 2048)
    assert message == "The file is 2.0\xa0KB; the limit is 1.0\xa0KB."
    assert extract_text("kecil.txt", b"a" * 1024).text == "a" * 1024


def test_size_limits_have_defaults(settings):
    del settings.MAX_UPLOAD_BYTES
    del settings.MAX_UNCOMPRESSED_BYTES
    assert extract_text("w.docx", make_docx()).format == "docx"
    message = fails("besar.txt", b"a" * (20 * 1024 * 1024 + 1))
    assert message.endswith("the limit is 20.0\xa0MB.")
