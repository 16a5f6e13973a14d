"""`make bench`'s --only: the phases asked for, and a clear stop for a name it does not know."""

import argparse

import pytest

from coding.management.commands.bench import PHASES, _phases


def test_only_names_the_phases_to_run():
    assert _phases("exports, report") == {"exports", "report"}
    assert set(PHASES) >= {"coding_page", "exports", "report", "import_qdpx"}


@pytest.mark.parametrize("value", ["export", "exports,nope", " , "])
def test_an_unknown_or_empty_phase_stops_the_command(value):
    with pytest.raises(argparse.ArgumentTypeError, match="choose from coding_page"):
        _phases(value)
