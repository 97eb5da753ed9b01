"""Manifest entries from requirement and ``-e`` lines of a requirements file.

pip decides per line whether it is a PEP 508 requirement, a URL or a local path; the same
decision is made here, and each line becomes a :class:`ManifestEntry` (or an unnamed one,
when its distribution cannot be told from the line).  ``packaging`` and the URL helpers are
imported only by the lines that need them: plain ``name==1.0`` lines skip the URL helpers.
"""

from __future__ import annotations

from bootguard.manifest._req_lines import _Line
from bootguard.manifest._req_names import _base, _egg, _name_of
from bootguard.manifest._req_options import _split_hashes, _tokens
from bootguard.manifest.model import ManifestEntry, Selection
from bootguard.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from bootguard._pep508 import Requirement as FastRequirement
    from bootguard.manifest.model import Source


class _State:
    """What reading one requirements file (and its includes) has gathered so far.

    ``read`` keeps the bytes of every file read, in order: the manifest digest is their
    sha256, computed once at the end (the same digest as hashing them one by one).
    """

    __slots__ = ("entries", "notes", "read", "seen", "selection", "unnamed")

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.entries: list[ManifestEntry] = []
        self.unnamed: list[ManifestEntry] = []
        self.read: list[bytes] = []
        self.notes: list[str] = []
        self.seen: set[str] = set()


def _requirement(
    where: _Line, text: str, hashes: tuple[str, ...], state: _State, *, constraint: bool
) -> None:
    """One requirement line: a PEP 508 requirement, a URL, or a local path, as pip decides."""
    if _maybe_direct(text):
        from bootguard.manifest import _urls  # deferred: plain ``name==1.0`` lines skip it

        url_line = _urls.is_url(text)
        name_part, marker = _split_marker(text, "; " if url_line else ";")
        if url_line or _is_path_line(name_part):
            if marker is not None and not _marker_holds(where, marker, state):
                return
            _direct_line(where, name_part, marker, hashes, state, constraint=constraint)
            return
    entry = _pep508_entry(where, text, hashes, state.selection, constraint=constraint)
    if entry is not None:
        state.entries.append(entry)


def _maybe_direct(text: str) -> bool:
    """A cheap first test: could this line be a URL or a path rather than ``name==1.0``?"""
    if ":" in text or "/" in text or "\\" in text or text[:1] == ".":
        return True
    lowered = text.lower()
    return (
        ".whl" in lowered
        or ".zip" in lowered
        or ".tar" in lowered
        or ".tgz" in lowered
        or ".tbz" in lowered
        or ".txz" in lowered
        or ".tlz" in lowered
    )


def _split_marker(text: str, separator: str) -> tuple[str, str | None]:
    name, sep, marker = text.partition(separator)
    marker = marker.strip()
    return name.strip(), (marker or None) if sep else None


def _is_path_line(name: str) -> bool:
    """pip's rule: a path-looking line or an archive file name is a path, not a name.

    ``foo @ https://host/foo.whl`` ends like an archive but is a requirement: an ``@`` whose
    left side does not look like a path makes it one.
    """
    from bootguard.manifest import _urls

    path, _ = _strip_extras(name)
    return (_urls.looks_like_path(path) or _urls.is_archive(path)) and not _is_named_url(name)


def _is_named_url(text: str) -> bool:
    from bootguard.manifest import _urls

    left, at, _ = text.partition("@")
    return bool(at) and not _urls.looks_like_path(left.strip())


def _marker_holds(where: _Line, marker: str, state: _State) -> bool:
    from packaging.markers import InvalidMarker

    from bootguard._pep508 import packaging_marker

    try:
        return bool(packaging_marker(marker).evaluate(dict(state.selection.marker_env)))
    except InvalidMarker as err:
        reason = str(err).splitlines()[0]
        raise where.error(f"invalid marker {_shown(marker)}: {reason}") from err


def _strip_extras(path: str) -> tuple[str, frozenset[str]]:
    """``("./proj", {"x"})`` from ``./proj[x]``, as pip strips extras from paths."""
    if path.endswith("]") and "[" in path:
        head, _, extras = path[:-1].rpartition("[")
        if head:
            return head.rstrip(), frozenset(
                canonical_name(e.strip()) for e in extras.split(",") if e.strip()
            )
    return path, frozenset()


def _pep508_entry(
    where: _Line,
    text: str,
    hashes: tuple[str, ...],
    selection: Selection,
    *,
    constraint: bool,
) -> ManifestEntry | None:
    from bootguard._pep508 import Requirement as FastRequirement
    from bootguard._pep508 import parse_requirement

    req: Requirement | FastRequirement | None = parse_requirement(text)
    if req is None or req.marker is not None:  # not a plain ``name==1.0``: packaging's
        from packaging.requirements import InvalidRequirement  # deferred: import cost

        from bootguard._pep508 import packaging_requirement

        try:
            req = packaging_requirement(text)
        except InvalidRequirement as err:
            reason = str(err).splitlines()[0]  # packaging adds the text and a caret
            raise where.error(f"invalid requirement {_shown(text)}: {reason}") from err
    if not isinstance(req, FastRequirement) and not _applies(req, selection):
        return None
    source = None
    if req.url:
        from bootguard.manifest._urls import source_from_url

        source = source_from_url(req.url, base=_base(where))
    return _requirement_entry(req, where, source, hashes=hashes, constraint=constraint)


def _applies(req: Requirement, selection: Selection) -> bool:
    """Whether the requirement's marker (if any) holds in the selected environment."""
    return req.marker is None or req.marker.evaluate(dict(selection.marker_env))


def _requirement_entry(
    req: Requirement | FastRequirement,
    where: _Line,
    source: Source | None,
    *,
    constraint: bool,
    hashes: tuple[str, ...] = (),
    editable: bool = False,
) -> ManifestEntry:
    """The entry of a parsed PEP 508 requirement line (``name @ url`` has no specifier)."""
    return ManifestEntry(
        name=canonical_name(req.name),
        specifier=str(req.specifier),
        extras=frozenset(canonical_name(e) for e in req.extras),
        marker=str(req.marker) if req.marker is not None else None,
        url=req.url,
        editable=editable,
        hashes=hashes,
        origin=where.origin,
        constraint=constraint,
        source=source,
    )


def _shown(text: str) -> str:
    """``text`` quoted for a one-line message, shortened when it is long."""
    return repr(text if len(text) <= 120 else text[:100] + "...")


def _direct_line(
    where: _Line,
    text: str,
    marker: str | None,
    hashes: tuple[str, ...],
    state: _State,
    *,
    constraint: bool,
    editable: bool = False,
    last_comment: str = "",
) -> None:
    """A bare URL or path line (or ``-e`` value): its name from ``#egg=``, file or project."""
    from bootguard.manifest import _urls

    if _urls.is_url(text):
        location, extras = text, frozenset[str]()
        source = _urls.source_from_url(text, editable=editable, hashes=hashes, base=_base(where))
    else:
        location, extras = _strip_extras(text)
        source = _urls.local_source(location, editable=editable, hashes=hashes, base=_base(where))
    name, version = _name_of(where, location, source, last_comment)
    entry = ManifestEntry(
        name=canonical_name(name) if name else "",
        specifier=f"=={version}" if version else "",
        extras=extras,
        marker=marker,
        url=text,
        editable=editable,
        hashes=hashes,
        origin=where.origin,
        constraint=constraint,
        source=source,
        name_guessed=bool(name)
        and source.kind == "archive"
        and not _egg(location)
        and not (source.url.lower().endswith(".whl")),
    )
    if name:
        state.entries.append(entry)
        return
    state.unnamed.append(entry)
    state.notes.append(
        f"{where.origin}: cannot tell which distribution {text!r} is from the line; it is "
        "matched by the source direct_url.json records (add '#egg=NAME' or 'NAME @ ' to name it)"
    )


def _read_editable(
    where: _Line, value: str, last_comment: str, state: _State, *, constraint: bool
) -> None:
    """``-e`` value: ``name @ url``, a VCS URL, a ``file:`` URL or a local directory."""
    value, _ = _split_hashes(where, value)  # --config-settings may follow
    if not value:
        raise where.error("-e needs a path or URL")
    if "@" in value and _is_named_url(value):
        from packaging.requirements import InvalidRequirement

        from bootguard._pep508 import packaging_requirement

        try:
            req = packaging_requirement(value)
        except InvalidRequirement:
            req = None
        if req is not None and req.url:
            _named_editable(where, req, state, constraint=constraint)
            return
    from bootguard.manifest import _urls

    words = _tokens(where, value)  # pip's option parser takes one word (quotes removed)
    if not words:
        raise where.error("-e needs a path or URL")
    value = words[0]
    if _urls.url_scheme(value) not in (None, "file") and not _urls.is_url(value):
        # pip turns ``git:...`` into ``git+git:...``; anything else it cannot install
        state.notes.append(f"{where.origin}: the editable {value!r} is not a path or VCS URL")
        return
    _direct_line(
        where,
        value,
        None,
        (),
        state,
        constraint=constraint,
        editable=True,
        last_comment=last_comment,
    )


def _named_editable(where: _Line, req: object, state: _State, *, constraint: bool) -> None:
    from packaging.requirements import Requirement

    from bootguard.manifest._urls import source_from_url

    assert isinstance(req, Requirement) and req.url
    if not _applies(req, state.selection):
        return
    source = source_from_url(req.url, editable=True, base=_base(where))
    state.entries.append(
        _requirement_entry(req, where, source, constraint=constraint, editable=True)
    )
