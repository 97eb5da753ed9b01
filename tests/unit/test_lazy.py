"""A facade's lazy names: imported on first use, cached, and unknown names refused."""

from __future__ import annotations

import pytest

from bootguard._lazy import lazy_exports


def test_a_name_is_imported_on_first_use_and_then_cached() -> None:
    namespace: dict[str, object] = {"__all__": ["sha256_hex", "one_line"]}
    getattr_, dir_ = lazy_exports(
        "pkg",
        {"one_line": "bootguard._text", "sha256_hex": "bootguard.environment._scan"},
        namespace,
    )
    from bootguard._text import one_line

    assert getattr_("one_line") is one_line
    assert namespace["one_line"] is one_line
    assert dir_() == ["one_line", "sha256_hex"]


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    getattr_, _ = lazy_exports("pkg", {}, {})
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'missing'"):
        getattr_("missing")


def test_the_real_facades_export_what_they_list() -> None:
    import bootguard.checks
    import bootguard.environment

    for facade in (bootguard.checks, bootguard.environment):
        assert dir(facade) == sorted(facade.__all__)
        for name in facade.__all__:
            assert getattr(facade, name) is not None
