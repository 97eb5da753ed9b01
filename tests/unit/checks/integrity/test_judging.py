"""Judging file problems: one finding per distribution, worst first, capped."""

from __future__ import annotations

from bootguard.checks.integrity.judging import capped, finding, problem_order, select
from bootguard.checks.integrity.model import FileProblem
from bootguard.environment.model import Distribution
from tests.unit.conftest import Site

DIST = Distribution("msgbus", "msgbus", "4.1.0", "/site", "/site/msgbus-4.1.0.dist-info")


def test_one_problem_is_named_in_the_message() -> None:
    found = finding(DIST, [FileProblem("changed", "msgbus/a.py", "size 3, recorded 4")], 10)
    assert (found.key, found.status, found.details) == ("msgbus:files", "fail", ())
    assert found.message == "installed file changed: msgbus/a.py (size 3, recorded 4)"


def test_several_problems_are_counted_ordered_and_capped() -> None:
    problems = [FileProblem("unexpected", f"msgbus/x{i}.py") for i in range(5)] + [
        FileProblem("missing", "msgbus/z.py")
    ]
    found = finding(DIST, problems, 3)
    assert found.observed == "1 missing, 5 unexpected"
    assert found.details == (
        "missing    msgbus/z.py",
        "unexpected msgbus/x0.py",
        "unexpected msgbus/x1.py",
        "... and 3 more files",
    )
    assert finding(DIST, problems[:2], 3).status == "warn"  # nothing missing or changed
    assert sorted(problems, key=problem_order)[0].kind == "missing"


def test_capped_keeps_short_lists() -> None:
    assert capped(["a"], 1, "files") == ["a"]
    assert capped(["a", "b"], 1, "files") == ["a", "... and 1 more files"]


def test_select_names_by_normalized_name_and_notes_unknown_ones(site: Site) -> None:
    site.install("Task_Q", "5.0.0")
    site.install("msgbus", "4.1.0")
    env = site.environment()
    notes: list[str] = []
    assert [d.name for d in select(env, ["task.q", "TASK_Q", "absent"], notes)] == ["task-q"]
    assert notes == ["integrity: no installed distribution named 'absent'"]
    assert [d.name for d in select(env, None, [])] == ["msgbus", "task-q"]
