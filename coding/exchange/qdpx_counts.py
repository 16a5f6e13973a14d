"""Messages for what the QDPX reader counted: things carried over differently, or not at all."""

from django.utils.translation import ngettext_lazy

# What was counted while reading -> (message, whether it is lost or only worth knowing).
COUNTED = {
    "folders": (
        ngettext_lazy(
            "%(n)s code is a folder (not codable) in the file; here it can be applied like any "
            "code, and an export marks it as the file did.",
            "%(n)s codes are folders (not codable) in the file; here they can be applied like "
            "any code, and an export marks them as the file did.",
            "n",
        ),
        False,
    ),
    "datetime": (
        ngettext_lazy(
            "%(n)s date-and-time variable became a text attribute.",
            "%(n)s date-and-time variables became text attributes.",
            "n",
        ),
        False,
    ),
    "whole": (
        ngettext_lazy(
            "%(n)s code applied to a whole source became a coding of its whole text.",
            "%(n)s codes applied to a whole source became codings of its whole text.",
            "n",
        ),
        False,
    ),
    "case selections": (
        ngettext_lazy(
            "%(n)s selection linked to a case: its source joined that case.",
            "%(n)s selections linked to cases: their sources joined those cases.",
            "n",
        ),
        False,
    ),
    "unknown users": (
        ngettext_lazy(
            "%(n)s coding by a user missing from the file's user list is attributed to you.",
            "%(n)s codings by users missing from the file's user list are attributed to you.",
            "n",
        ),
        False,
    ),
    "case codes": (
        ngettext_lazy("%(n)s code applied to a case.", "%(n)s codes applied to cases.", "n"),
        True,
    ),
    "pdf selections": (
        ngettext_lazy(
            "%(n)s area selected on a PDF page (text selections are carried over).",
            "%(n)s areas selected on PDF pages (text selections are carried over).",
            "n",
        ),
        True,
    ),
    "PictureSource": (
        ngettext_lazy("%(n)s picture source.", "%(n)s picture sources.", "n"),
        True,
    ),
    "AudioSource": (ngettext_lazy("%(n)s audio source.", "%(n)s audio sources.", "n"), True),
    "VideoSource": (ngettext_lazy("%(n)s video source.", "%(n)s video sources.", "n"), True),
    "source variables": (
        ngettext_lazy(
            "%(n)s value of a source variable.", "%(n)s values of source variables.", "n"
        ),
        True,
    ),
    "empty selections": (
        ngettext_lazy(
            "%(n)s selection without a code (its comments are kept as memos).",
            "%(n)s selections without a code (their comments are kept as memos).",
            "n",
        ),
        True,
    ),
    "originals": (
        ngettext_lazy(
            "%(n)s original file in a format other than DOCX or PDF (its text is carried over).",
            "%(n)s original files in formats other than DOCX or PDF (their text is carried over).",
            "n",
        ),
        True,
    ),
    "empty notes": (ngettext_lazy("%(n)s empty note.", "%(n)s empty notes.", "n"), True),
    "Graphs": (ngettext_lazy("%(n)s graph.", "%(n)s graphs.", "n"), True),
    "Links": (
        ngettext_lazy(
            "%(n)s link between items (links from a note to a selection become memos).",
            "%(n)s links between items (links from a note to a selection become memos).",
            "n",
        ),
        True,
    ),
}
