"""WebVTT and SubRip transcripts, read through webvtt-py.

Each cue becomes a paragraph "[HH:MM:SS] Speaker: text"; consecutive cues of one known
speaker are merged into the first one's paragraph.
"""

import html
import io
import re

from django.utils.translation import gettext as _
from webvtt import WebVTT
from webvtt.errors import MalformedCaptionError, MalformedFileError

from .base import ImportFailed, no_text, sniff
from .text import decode_text

_VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")  # {\an8} and friends in SubRip files
# "Name:" at the start of a cue: up to four words, each capitalised ("Ibu Sari", "P1").
_SPEAKER = re.compile(r"^([^\W_][\w.'\u2019-]*(?: [^\W_][\w.'\u2019-]*){0,3}):\s+(?=\S)")


def _unreadable(detail: str) -> ImportFailed:
    return ImportFailed(_("The subtitle file could not be read: %(detail)s") % {"detail": detail})


def _clean(line: str) -> str:
    return " ".join(html.unescape(_ASS_TAG.sub("", _TAG.sub("", line))).split())


def _turns(raw: str) -> list[tuple[str | None, str]]:
    """Split a cue into (speaker, text) turns: a voice tag starts a turn, lines join with spaces."""
    turns: list[tuple[str | None, str]] = []
    speaker: str | None = None
    for line in raw.split("\n"):
        if voice := _VOICE.search(line):
            speaker = " ".join(voice.group(1).split())
        text = _clean(line)
        if not text:
            continue
        if turns and turns[-1][0] == speaker:
            turns[-1] = (speaker, f"{turns[-1][1]} {text}")
        else:
            turns.append((speaker, text))
    result = []
    for speaker, text in turns:
        match = _SPEAKER.match(text) if speaker is None else None
        if match and all(word[0].isupper() or word[0].isdigit() for word in match[1].split()):
            speaker, text = match[1], text[match.end() :]
        result.append((speaker, text))
    return result


def _stamp(caption) -> str:
    start = caption.start_time
    return f"[{start.hours:02d}:{start.minutes:02d}:{start.seconds:02d}]"


def read_subtitles(data: bytes, kind: str) -> tuple[str, tuple[str, ...]]:
    """Read a .vtt (kind "vtt") or .srt (kind "srt") file."""
    if sniff(data):
        raise _unreadable(_("this is not a text file."))
    text, warnings = decode_text(data)
    # SubRip files often start with blank lines, which webvtt-py does not accept.
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff\n \t")
    try:
        captions = WebVTT.from_buffer(io.StringIO(text), format=kind).captions
    except MalformedFileError:
        if kind == "vtt":
            raise _unreadable(_("it does not start with WEBVTT.")) from None
        raise _unreadable(_("it does not start with a numbered cue and its times.")) from None
    except MalformedCaptionError:
        raise _unreadable(_("a cue has an invalid time.")) from None
    paragraphs: list[tuple[str | None, str, str]] = []  # speaker, timestamp, text
    for caption in captions:
        for speaker, words in _turns(caption.raw_text):
            last = paragraphs[-1] if paragraphs else None
            if last and speaker is not None and last[0] == speaker:
                paragraphs[-1] = (speaker, last[1], f"{last[2]} {words}")
            else:
                paragraphs.append((speaker, _stamp(caption), words))
    if not paragraphs:
        raise no_text()
    return "\n\n".join(
        f"{stamp} {speaker}: {words}" if speaker else f"{stamp} {words}"
        for speaker, stamp, words in paragraphs
    ), warnings
