"""bootguard's METADATA reader against the standard library's, on generated files.

bootguard reads five header fields by hand for speed (see ``bootguard.environment``); the
reference is what ``importlib.metadata`` returns (``PathDistribution(...).metadata`` and
``.requires``), which parses with ``email``.  Hypothesis writes METADATA files with every
line-end mix (LF, CRLF, lone CR), folded lines, bodies holding header-like lines, lines
that end the header section early, duplicate headers, case variants of the field names,
undecodable bytes, and files longer than the first read.  The five fields must be equal up
to whitespace folding: a folded value is compared with its lines stripped and joined by one
space, which is how bootguard reports it (``importlib.metadata`` keeps the raw lines).

``importlib.metadata`` refuses a file that is not UTF-8 (UnicodeDecodeError); for those the
reference is ``email`` itself on the surrogate-escaped text, which is what bootguard reads.
"""

from __future__ import annotations

import email
import importlib.metadata
import re
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bootguard.environment.metadata import parse_headers as _parse_headers
from bootguard.environment.metadata import read_headers as _read_headers

FIELDS = ("Name", "Version", "Requires-Dist", "Requires-Python", "Provides-Extra")
_STRIP = " \t\n\r\x0b\x0c"

# Field names: the five in several cases, other real ones, and lines that only look like
# headers to a careless reader ("Name :" has a space, so it ends the header section).
_KEYS = st.sampled_from(
    [
        *FIELDS,
        "name",
        "NAME",
        "version",
        "requires-dist",
        "REQUIRES-DIST",
        "requires-python",
        "provides-extra",
        "Summary",
        "Classifier",
        "Metadata-Version",
    ]
)
_VALUE_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .-_;=<>!~'\"(),:[]\t\x0b\x0cé€")), max_size=20
)
_RAW = st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80abc", b"\xf0\x9f"])


@st.composite
def _value(draw: st.DrawFn) -> bytes:
    value = draw(_VALUE_TEXT).encode("utf-8")
    if draw(st.integers(0, 9)) == 0:  # now and then a byte that is not UTF-8
        cut = draw(st.integers(0, len(value)))
        value = value[:cut] + draw(_RAW) + value[cut:]
    return value


@st.composite
def _header_lines(draw: st.DrawFn) -> list[bytes]:
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 19))
        if kind < 12:
            lines.append(
                draw(_KEYS).encode()
                + b":"
                + draw(st.sampled_from([b" ", b"", b"  ", b"\t"]))
                + draw(_value())
            )
        elif kind < 15:  # folded continuation of whatever came before (or of nothing)
            lines.append(draw(st.sampled_from([b" ", b"\t", b"        "])) + draw(_value()))
        elif kind == 15:
            lines.append(b"From someone@example.org " + draw(_value()))
        elif kind == 16:
            lines.append(b": no name " + draw(_value()))
        elif kind == 17:
            lines.append(b"Name : spaced " + draw(_value()))  # not a header: ends the section
        elif kind == 18:
            lines.append(b"garbage line " + draw(_value()))  # not a header: ends the section
        else:
            lines.append(b"Classifier: Topic :: Software Development\n" * 500)  # past 16 KiB
    return lines


@st.composite
def metadata_files(draw: st.DrawFn) -> bytes:
    """A METADATA file, as bytes, with a random line end after every line."""
    lines = draw(_header_lines())
    if draw(st.booleans()):
        lines.append(b"")  # the blank line before the body
        lines += [
            draw(
                st.sampled_from(
                    [b"A description.", b"Requires-Dist: bogus>=1", b"Name: other", b""]
                )
            )
            for _ in range(draw(st.integers(0, 4)))
        ]
    ends = st.sampled_from([b"\n", b"\r\n", b"\r"])
    data = b"".join(line + draw(ends) for line in lines)
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no line end at the very end
    return data or b"Metadata-Version: 2.1\n"


def _normal(value: str) -> str:
    """A header value with its lines stripped and joined by one space (see the docstring)."""
    pieces = (piece.strip(_STRIP) for piece in re.split(r"\r\n|\r|\n", value))
    return " ".join(piece for piece in pieces if piece)


def _stdlib(dist_info: Path, data: bytes) -> dict[str, list[str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            importlib.metadata.PathDistribution(dist_info).metadata  # noqa: B018
        except UnicodeDecodeError:
            pass  # the standard library refuses it, as documented above
        else:
            raise AssertionError("importlib.metadata read a METADATA that is not UTF-8")
        message = email.message_from_string(data.decode("utf-8", "surrogateescape"))
        return {
            field.lower(): [
                _normal(v) for k, v in message.raw_items() if k.lower() == field.lower()
            ]
            for field in FIELDS
        }
    distribution = importlib.metadata.PathDistribution(dist_info)
    metadata = distribution.metadata
    found = {field.lower(): [_normal(v) for v in metadata.get_all(field) or ()] for field in FIELDS}
    assert [_normal(r) for r in distribution.requires or ()] == found["requires-dist"]
    assert text  # decoded: the UTF-8 case
    return found


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=metadata_files())
@example(data=b"Metadata-Version: 2.1\r\nName: crlfpkg\r\nVersion: 1.0\r\n\r\nRequires-Dist: x\r\n")
@example(data=b"Name: a\rVersion: 1\rRequires-Dist: b\r\rRequires-Dist: c\r")
@example(data=b"Name: a\nVersion: 1\nRequires-Dist: b\n c\n\t d\nname: z\n")
@example(data=b"Name: a\nVersion: 1\ngarbage\nRequires-Dist: b\n")
@example(data=b"\nName: a\n")
@example(data=b" Name: a\nVersion: 1\n")
@example(data=b"Name: f\xf6o\nVersion: 1\n")
def test_the_five_fields_equal_importlib_metadata(tmp_path: Path, data: bytes) -> None:
    dist_info = tmp_path / "x-1.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_bytes(data)
    ours = _read_headers(str(dist_info / "METADATA"))
    theirs = _stdlib(dist_info, data)
    for field in FIELDS:
        key = field.lower()
        assert ours.get(key, []) == theirs[key], (field, data)
    # the general parser, used for case variants, agrees too
    general = _parse_headers(data.decode("utf-8", "surrogateescape"))
    for field in FIELDS:
        assert general.get(field.lower(), []) == theirs[field.lower()], (field, data)


def test_metadata_field_search_equals_the_general_header_parser() -> None:
    """The fast METADATA reader agrees with a full header parse on every real METADATA here."""
    from glob import glob

    from bootguard.environment.metadata import parse_headers as _parse_headers
    from bootguard.environment.metadata import read_headers as _read_headers

    files = [p for entry in sys.path for p in glob(f"{entry}/*.dist-info/METADATA")]
    assert len(files) > 20  # the test environment's own real distributions
    for path in files:
        fast = _read_headers(path)
        assert fast is not None
        with open(path, "rb") as handle:
            raw = handle.read()
        end = raw.find(b"\n\n")
        full = _parse_headers((raw if end < 0 else raw[:end]).decode("utf-8", "surrogateescape"))
        for key in ("name", "version", "requires-dist", "requires-python", "provides-extra"):
            assert fast.get(key) == full.get(key), (path, key)
