"""What a QDPX export names and writes so that other tools (and a re-import) agree.

- Users: a placeholder coder (an imported user) goes out under the id and GUID it
  came in with, so a re-import keeps both; anyone else under their username and a
  GUID derived from it. No two users of one file share a GUID.
- Sources: no two share a name (another tool refuses such a file).
- Texts: a QDPX text goes out as the bytes it came in with, its positions mapped back
  (qdpx_text.py); any other text as its UTF-8.
"""

import uuid
import zlib

from interviews.models import Membership

from .offsets import OffsetMap
from .qdpx_text import decode_verbatim, stored_text
from .refi import derived_guid, user_guid


class UserGuids:
    def __init__(self, project):
        self.project = project
        self.placeholders = {
            membership.user_id: membership
            for membership in Membership.objects.filter(
                project=project, placeholder_guid__isnull=False
            )
        }
        self.given: dict[int, uuid.UUID] = {}
        self.taken: set[uuid.UUID] = set()

    def of(self, user) -> uuid.UUID:
        if user.pk not in self.given:
            placeholder = self.placeholders.get(user.pk)
            guid = placeholder.placeholder_guid if placeholder else user_guid(user.get_username())
            if guid in self.taken:  # a placeholder of someone who is also a member here
                guid = derived_guid(self.project, "user", user.pk)
            self.taken.add(guid)
            self.given[user.pk] = guid
        return self.given[user.pk]

    def names(self, user) -> tuple[str, str]:
        """(REFI-QDA id, name) of a user."""
        placeholder = self.placeholders.get(user.pk)
        if placeholder is not None:
            return placeholder.placeholder_id, user.first_name or placeholder.placeholder_id
        return user.get_username(), user.get_full_name().strip() or user.get_username()


def unique_source_names(sources) -> dict[int, str]:
    """Source id -> a name no other source of the file has (letter case aside)."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for source in sources:
        name, n = source.title, 2
        while name.lower() in taken:
            name, n = f"{source.title} ({n})", n + 1
        taken.add(name.lower())
        names[source.pk] = name
    return names


def text_file(source, imported: bytes | None) -> tuple[bytes, OffsetMap]:
    """The .txt of a source, and the map from the file's positions to the stored text's."""
    if imported is not None:
        data = zlib.decompress(imported)
        decoded = decode_verbatim(data)
        text, mapping = stored_text(decoded.text)
        if text == source.text:
            return (data if decoded.utf8 else decoded.text.encode("utf-8")), mapping
    mapping = OffsetMap()
    mapping.keep(len(source.text))
    return source.text.encode("utf-8"), mapping
