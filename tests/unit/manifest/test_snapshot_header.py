"""The snapshot header: a truncated or edited snapshot is refused, with how to recover."""

from __future__ import annotations

import pytest

from bootguard.errors import ManifestError
from bootguard.manifest.snapshot_header import COUNT_PREFIX, check_entry_count

BODY = "# a comment\nmsgbus==4.1.0\n\n-e ./app\n"


def test_a_matching_count_and_a_file_without_header_pass() -> None:
    check_entry_count(f"{COUNT_PREFIX}entries=2\n{BODY}", "s.txt")
    check_entry_count("msgbus==4.1.0", "plain.txt")  # no header: not a snapshot


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{COUNT_PREFIX}entries=3\n{BODY}", "records 3 entries but the file has 2"),
        (f"{COUNT_PREFIX}entries=2\n{BODY}".rstrip("\n"), "truncated snapshot"),
        (f"{COUNT_PREFIX}count=2\n{BODY}", "malformed snapshot header"),
        (f"{COUNT_PREFIX}entries=\u0662\n{BODY}", "malformed snapshot header"),
        (f"{COUNT_PREFIX}\n{BODY}", "malformed snapshot header"),
    ],
)
def test_a_disagreeing_or_damaged_header_is_an_error(text: str, problem: str) -> None:
    with pytest.raises(ManifestError, match=problem):
        check_entry_count(text, "s.txt")
