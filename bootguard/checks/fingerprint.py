"""The environment fingerprint against the one a snapshot records: ``environment:files``."""

from __future__ import annotations

from bootguard.environment.fingerprint import recorded_fingerprint
from bootguard.report import Finding

__all__ = ["snapshot_comparison"]


def snapshot_comparison(actual: str, data: bytes, source: str) -> tuple[Finding | None, str]:
    """Compare this node's fingerprint with the one a snapshot records.

    Returns (a ``warn`` finding keyed ``environment:files`` if they differ, a note); (None,
    "") if the snapshot records none.  The key: the subject is the whole environment (a
    reserved subject, as ``python`` is), the aspect is ``files`` because what differs is the
    installed files as recorded, the contract's aspect for that.
    """
    recorded = recorded_fingerprint(data)
    if recorded is None:
        return None, ""
    if recorded == actual:
        return None, f"environment fingerprint {actual} matches the one {source} records"
    finding = Finding(
        "environment",
        "files",
        "warn",
        f"environment fingerprint {actual} differs from {recorded} recorded in {source}: "
        "the installed files are not those the snapshot was taken from (another build of a "
        "version, a file changed after install, another installer or byte-compilation "
        "setting); `bootguard check --integrity` names changed files",
        expected=recorded,
        observed=actual,
    )
    return finding, ""
