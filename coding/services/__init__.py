"""Writes to the codebook and the codings. Each keeps its invariants in one transaction.

By topic: `codes` (the codebook: create, move, merge, delete, seed; the code locks),
`codings` (apply, change, remove a coding), `history` (the events of each write, in
batches) and `undo` (undo and redo of a batch). Callers import from here.
"""

from .codes import (
    MAX_CODE_NAME,
    check_code_name,
    create_code,
    delete_code,
    descendant_ids,
    lock_codes,
    merge_codes,
    move_attached,
    move_code,
    name_taken,
    require_codes,
    seed_default_codebook,
)
from .codings import (
    Applied,
    apply_code,
    apply_codes,
    apply_in_vivo,
    change_coding,
    check_passage,
    remove_coding,
)
from .history import record_event
from .undo import Undone, reverse_batch, undo_batch

__all__ = [
    "MAX_CODE_NAME",
    "Applied",
    "Undone",
    "apply_code",
    "apply_codes",
    "apply_in_vivo",
    "change_coding",
    "check_code_name",
    "check_passage",
    "create_code",
    "delete_code",
    "descendant_ids",
    "lock_codes",
    "merge_codes",
    "move_attached",
    "move_code",
    "name_taken",
    "record_event",
    "remove_coding",
    "require_codes",
    "reverse_batch",
    "seed_default_codebook",
    "undo_batch",
]
