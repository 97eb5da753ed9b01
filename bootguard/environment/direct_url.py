"""PEP 610 ``direct_url.json``: where an installer says a distribution's files came from."""

from __future__ import annotations

import os

from bootguard.environment.model import DirectUrl

__all__ = ["read_direct_url"]


def read_direct_url(meta_dir: str) -> tuple[str | None, bool, DirectUrl | None]:
    """PEP 610 ``direct_url.json``: the URL as one string, whether editable, and all of it.

    The file is untrusted: it is read with a size cap and without blocking, and one that is
    not JSON, nests deeper than any real one, or lacks a string ``url`` means "no origin
    recorded" (a finding elsewhere may say the install is odd; this never raises).
    """
    from bootguard._files import METADATA_MAX_BYTES, read_regular

    try:
        raw = read_regular(os.path.join(meta_dir, "direct_url.json"), METADATA_MAX_BYTES)
    except (OSError, ValueError):
        return None, False, None
    data = _json_object(raw)
    if data is None:
        return None, False, None
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable") is True
    url = data.get("url")
    if not isinstance(url, str):
        return None, editable, None
    origin = _origin(data, url, editable)
    if origin.kind == "vcs":
        # the form pip freeze writes: git+https://host/repo@<commit>
        url = f"{origin.vcs}+{url}@{origin.commit_id or ''}"
    return url, editable, origin


#: A real ``direct_url.json`` is well under a kilobyte; one larger than this that also holds
#: more brackets than any real one nests is not measured, only refused.
_JSON_SCAN_MAX_BYTES = 64 * 1024


def _json_object(raw: bytes) -> dict[str, object] | None:
    """``raw`` parsed as a JSON object, or None (not JSON, not an object, nested too deep)."""
    from bootguard._files import JSON_MAX_DEPTH

    if raw.count(b"[") + raw.count(b"{") > JSON_MAX_DEPTH and (
        len(raw) > _JSON_SCAN_MAX_BYTES or _depth(raw) > JSON_MAX_DEPTH
    ):
        return None
    import json  # deferred: only direct-URL / editable installs have this file

    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _depth(raw: bytes) -> int:
    """The nesting of arrays and objects in a JSON text, up to ``JSON_MAX_DEPTH + 1``.

    Strings are blanked, everything but brackets dropped, then innermost ``[]``/``{}``
    pairs removed pass after pass; each pass lowers the nesting by one.  Every step runs
    in C, not a Python loop per byte.  Unbalanced brackets (not JSON anyway) count as too
    deep.
    """
    import re  # deferred: only a file with more brackets than any real one gets here

    from bootguard._files import JSON_MAX_DEPTH

    text = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", raw)
    pair = re.compile(rb"\[\]|\{\}")
    brackets = b"[]{}"
    text = text.translate(None, bytes(set(range(256)) - set(brackets)))
    for depth in range(JSON_MAX_DEPTH + 1):
        if not text:
            return depth
        shorter = pair.sub(b"", text)  # one layer per pass ("{[]}" needs two)
        if len(shorter) == len(text):
            break  # no innermost pair left: unbalanced
        text = shorter
    return JSON_MAX_DEPTH + 1


def _origin(data: dict[str, object], url: str, editable: bool) -> DirectUrl:
    """The parsed origin of a ``direct_url.json`` object that has a string ``url``."""

    def text(table: object, key: str) -> str | None:
        value = table.get(key) if isinstance(table, dict) else None
        return value if isinstance(value, str) and value else None

    subdirectory = text(data, "subdirectory")
    vcs_info = data.get("vcs_info")
    if isinstance(vcs_info, dict) and text(vcs_info, "vcs"):
        return DirectUrl(
            kind="vcs",
            url=url,
            vcs=text(vcs_info, "vcs"),
            commit_id=text(vcs_info, "commit_id"),
            requested_revision=text(vcs_info, "requested_revision"),
            subdirectory=subdirectory,
        )
    archive_info = data.get("archive_info")
    if isinstance(archive_info, dict):
        hashes: list[str] = []
        table = archive_info.get("hashes")
        if isinstance(table, dict):
            hashes.extend(
                f"{name.lower()}:{value.lower()}"
                for name, value in table.items()
                if isinstance(name, str) and isinstance(value, str)
            )
        legacy = text(archive_info, "hash")
        if legacy and "=" in legacy:
            name, _, value = legacy.partition("=")
            hashes.append(f"{name.lower()}:{value.lower()}")
        return DirectUrl(
            kind="archive", url=url, hashes=tuple(dict.fromkeys(hashes)), subdirectory=subdirectory
        )
    return DirectUrl(kind="directory", url=url, editable=editable, subdirectory=subdirectory)
