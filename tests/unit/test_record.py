"""A Record behaves as the frozen slotted dataclass of the same declaration.

Each test builds both from one field list and compares what a caller can observe:
construction, equality and hashing (with ``compare=False`` fields left out), repr (with
``repr=False`` fields left out), assignment errors, pickling and copying, and the
:mod:`dataclasses` functions, which must keep working on records.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import dataclass

import pytest

from bootguard._record import Record, field, replace
from bootguard.manifest.model import ManifestEntry, Source
from bootguard.report import Finding, Report


class Point(Record):
    """A record with a required field, defaults, and an uncompared, unshown field."""

    x: int
    label: str = "origin"
    tags: tuple[str, ...] = ()
    note: str | None = field(default=None, compare=False, repr=False)

    @property
    def doubled(self) -> int:
        return self.x * 2


@dataclass(frozen=True, slots=True)
class DataclassPoint:
    """The same declaration as a real dataclass: the reference."""

    x: int
    label: str = "origin"
    tags: tuple[str, ...] = ()
    note: str | None = dataclasses.field(default=None, compare=False, repr=False)


CASES = [
    ((1,), {}),
    ((1, "a"), {"tags": ("t",)}),
    ((), {"x": 2, "note": "n"}),
    ((float("nan"),), {}),
    ((3, "b", ("u", "v"), "w"), {}),
]


def _both(args: tuple[object, ...], kwargs: dict[str, object]) -> tuple[Point, DataclassPoint]:
    return Point(*args, **kwargs), DataclassPoint(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "kwargs"), CASES)
def test_construction_and_repr_are_the_dataclass_ones(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    record, reference = _both(args, kwargs)
    assert repr(record) == repr(reference).replace("DataclassPoint", "Point")
    assert dataclasses.astuple(record) == dataclasses.astuple(reference)
    assert record.label == reference.label and record.tags == reference.tags


@pytest.mark.parametrize(("args", "kwargs"), CASES)
@pytest.mark.parametrize(("other_args", "other_kwargs"), CASES)
def test_equality_and_hash_are_the_dataclass_ones(
    args: tuple[object, ...],
    kwargs: dict[str, object],
    other_args: tuple[object, ...],
    other_kwargs: dict[str, object],
) -> None:
    record, reference = _both(args, kwargs)
    other, other_reference = _both(other_args, other_kwargs)
    assert (record == other) is (reference == other_reference)
    assert (record != other) is (reference != other_reference)
    if record == other:
        assert hash(record) == hash(other)


def test_a_record_equals_only_its_own_class() -> None:
    assert Point(1) != DataclassPoint(1)
    assert Point(1) != (1, "origin", ())
    assert Point(1, note="a") == Point(1, note="b")  # compare=False: left out


def test_assignment_and_deletion_raise_the_dataclass_error() -> None:
    record = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        record.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'x'"):
        del record.x
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.other = 1  # type: ignore[attr-defined]
    assert not hasattr(record, "__dict__")


def test_constructor_errors_are_the_dataclass_ones() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        Point(1, y=2)  # type: ignore[call-arg]


def test_the_constructor_signature_is_the_dataclass_one() -> None:
    """The constructor is compiled on first use; inspect sees it before any instance."""

    class Fresh(Record):
        x: int
        label: str = "origin"

    @dataclass(frozen=True)
    class FreshReference:
        x: int
        label: str = "origin"

    assert str(inspect.signature(Fresh)) == str(inspect.signature(FreshReference))
    assert str(inspect.signature(Point)) == str(inspect.signature(DataclassPoint))
    assert Fresh(1) == Fresh(x=1, label="origin")


def test_pickle_and_copy_keep_every_field() -> None:
    record = Point(1, "a", ("t",), "n")
    for clone in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert clone == record and clone.note == "n" and type(clone) is Point


def test_dataclasses_functions_work_on_records() -> None:
    record = Point(1, note="n")
    assert dataclasses.is_dataclass(record) and dataclasses.is_dataclass(Point)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "label", "tags", "note"]
    assert dataclasses.asdict(record) == {"x": 1, "label": "origin", "tags": (), "note": "n"}
    changed = dataclasses.replace(record, label="b")
    assert type(changed) is Point and changed.label == "b" and changed.note == "n"


def test_replace_is_dataclasses_replace_without_the_import() -> None:
    record = Point(1, note="n")
    assert record.doubled == 2
    assert replace(record, x=5) == dataclasses.replace(record, x=5) == record.__replace__(x=5)
    assert replace(record, note="m").note == "m"
    with pytest.raises(TypeError, match="no field 'y'"):
        replace(record, y=1)  # type: ignore[call-arg]


def test_a_record_declaration_is_checked_like_a_dataclass_one() -> None:
    with pytest.raises(TypeError, match="non-default field 'y' follows a default one"):

        class Wrong(Record):
            x: int = 0
            y: int  # type: ignore[misc]  # the mistake under test

    with pytest.raises(TypeError, match="cannot extend"):

        class Extended(Point):
            y: int = 0


def test_public_records_keep_their_dataclass_behaviour() -> None:
    """The records callers build and compare: Report, Finding, ManifestEntry, Source."""
    finding = Finding("x", "version", "fail", "drift", cause=ValueError("ignored"))
    assert finding == Finding("x", "version", "fail", "drift")  # cause is never compared
    assert "cause" not in repr(finding)
    report = Report(findings=(finding,))
    assert dataclasses.asdict(report)["findings"][0]["subject"] == "x"
    assert replace(report, python="3.11").python == "3.11"
    entry = ManifestEntry("a", "==1.0", source=Source("vcs", "https://h/r"))
    assert entry.pinned_version == "1.0" and hash(entry) == hash(replace(entry, origin=""))
