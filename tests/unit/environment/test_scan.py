"""Unit tests of bootguard.environment._scan: its built-in sha256."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st


@given(st.binary(max_size=5000))
def test_builtin_sha256_equals_hashlib(data: bytes) -> None:
    import hashlib

    from bootguard.environment._scan import sha256_hex

    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
