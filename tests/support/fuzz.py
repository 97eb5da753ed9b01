"""Hypothesis helpers shared by the readers' fuzz tests.

Why mutate a valid seed rather than draw random text: random text almost never gets past a
reader's first check, while a few edits to a real manifest reach the deep branches.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

__all__ = ["mutate_text", "mutated_or_random"]


def fuzz_settings(max_examples: int) -> settings:
    """Settings of a test that fuzzes files under ``tmp_path``: no deadline (file I/O varies),
    and ``tmp_path`` shared by the examples (each example rewrites the files it reads)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


def mutate_text(seed: str, data: st.DataObject) -> str:
    """``seed`` after one to four random inserts, deletions or replacements of UTF-8 text."""
    text = seed
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = data.draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=6))
        if action == "insert":
            text = text[:position] + chunk + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + len(chunk) :]
        else:
            text = text[:position] + chunk + text[position + len(chunk) :]
    return text


def mutated_or_random(seed: str, data: st.DataObject, max_size: int) -> bytes:
    """Half the time ``seed`` mutated (:func:`mutate_text`), else up to ``max_size`` random bytes."""
    if data.draw(st.booleans()):
        return mutate_text(seed, data).encode("utf-8", "surrogatepass")
    return data.draw(st.binary(max_size=max_size))
