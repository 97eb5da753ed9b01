"""Direct references in manifests (VCS URLs, archives, local paths), read as pip reads them.

Every lock format and requirements files point at non-index sources with URLs of a few
shapes: ``git+https://host/repo.git@v1.2#egg=name&subdirectory=sub``, an archive URL with a
``#sha256=`` fragment, a ``file:`` URL or a plain path.  The rules here follow pip's: the VCS
schemes it knows, the revision after the last ``@`` of the path, a scp-like
``git+git@host:org/repo`` address, the ``egg``/``subdirectory``/hash fragment parameters,
and the archive extensions that make a path a file rather than a project.  Only string
operations: this module runs on the boot path whenever a manifest holds such a line.
"""

from __future__ import annotations

from bootguard.manifest.model import Source

__all__ = [
    "commit_like",
    "fragment",
    "is_archive",
    "is_url",
    "local_source",
    "looks_like_path",
    "name_from_filename",
    "source_from_url",
]

#: The URL schemes pip's VCS backends register (``git``, ``hg``, ``svn``, ``bzr``).
VCS_SCHEMES = frozenset(
    {
        "git", "git+http", "git+https", "git+ssh", "git+git", "git+file",
        "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
        "svn", "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
        "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
#: File name endings that make a path or URL an archive (pip's ``ARCHIVE_EXTENSIONS``).
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ".tar.gz", ".tgz", ".tar",
)  # fmt: skip
HASH_NAMES = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
_HEX = frozenset("0123456789abcdefABCDEF")


def url_scheme(text: str) -> str | None:
    """The lowercased scheme of ``text`` if it has one (``git+https``), else None."""
    head, sep, _ = text.partition(":")
    return head.lower() if sep else None


def is_url(text: str) -> bool:
    """A URL pip treats as a link (http, https, file, ftp or a VCS scheme), as pip decides."""
    return url_scheme(text) in _URL_SCHEMES


def looks_like_path(text: str) -> bool:
    """pip's test: a path separator, or a leading dot (``.``, ``./x``, ``../x``)."""
    return "/" in text or "\\" in text or text.startswith(".")


def is_archive(text: str) -> bool:
    """True if the name (URL or path, fragment excluded) ends like an archive."""
    return text.split("#", 1)[0].lower().endswith(ARCHIVE_EXTENSIONS)


def commit_like(revision: str | None) -> bool:
    """A full commit id: 40 hex digits (git, hg) or 64 (git's sha256 object format)."""
    return revision is not None and len(revision) in (40, 64) and set(revision) <= _HEX


def fragment(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without its ``#fragment``, and the fragment's ``key=value`` parameters."""
    base, _, frag = url.partition("#")
    params: dict[str, str] = {}
    for part in frag.split("&"):
        key, sep, value = part.partition("=")
        if sep and key and key not in params:
            params[key] = value
    return base, params


def _fragment_hashes(params: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"{name}:{params[name]}" for name in HASH_NAMES if params.get(name))


def source_from_url(
    url: str,
    *,
    editable: bool = False,
    hashes: tuple[str, ...] = (),
    base: str | None = None,
) -> Source:
    """The :class:`Source` a direct URL (VCS, archive or ``file:``) stands for."""
    scheme = url_scheme(url) or ""
    if scheme in ("file", ""):
        return local_source(url, editable=editable, hashes=hashes, base=base)
    without, params = fragment(url)
    hashes = hashes + _fragment_hashes(params)
    subdirectory = params.get("subdirectory") or None
    if scheme in VCS_SCHEMES or scheme.split("+", 1)[0] in ("git", "hg", "svn", "bzr"):
        vcs, plus, _ = scheme.partition("+")
        inner = without[len(vcs) + 1 :] if plus else without
        repository, revision = split_revision(inner)
        return Source(
            kind="vcs",
            url=repository,
            vcs=vcs,
            requested_revision=revision,
            commit=revision if commit_like(revision) else None,
            hashes=hashes,
            subdirectory=subdirectory,
            editable=editable,
        )
    return Source(
        kind="archive", url=without, hashes=hashes, subdirectory=subdirectory, editable=editable
    )


def split_revision(url: str) -> tuple[str, str | None]:
    """``("https://host/repo.git", "v1.2")`` from ``https://host/repo.git@v1.2``, as pip.

    The revision follows the last ``@`` of the *path* (an ``@`` in the host part is a user).
    A scp-like address (``git@host:org/repo.git@v1``, no ``://``) has its path after the
    first ``:``.
    """
    if "://" in url:
        scheme, _, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        prefix = f"{scheme}://{netloc}{slash}"
    else:
        netloc, colon, path = url.partition(":")
        if "@" in netloc and not colon:  # no path at all
            return url, None
        prefix = f"{netloc}{colon}"
    path, query_sep, query = path.partition("?")
    revision: str | None = None
    if "@" in path:
        path, _, revision = path.rpartition("@")
    rebuilt = prefix + path + (query_sep + query if query_sep else "")
    return rebuilt, revision or None


def local_source(
    path: str, *, editable: bool = False, hashes: tuple[str, ...] = (), base: str | None = None
) -> Source:
    """A local path or ``file:`` URL: an archive when it ends like one, else a directory."""
    without, params = fragment(path) if path.lower().startswith("file:") else (path, {})
    return Source(
        kind="archive" if is_archive(without) else "directory",
        url=without,
        hashes=hashes + _fragment_hashes(params),
        subdirectory=params.get("subdirectory") or None,
        editable=editable,
        base=base,
    )


def name_from_filename(url: str) -> tuple[str | None, str | None]:
    """(name, version) from a wheel or sdist file name at the end of ``url``; None if none.

    A wheel file name is unambiguous.  An sdist name is split at its last ``-``, which
    guesses wrong for names such as ``pyRXP-1.16-daily-unix.tar.gz``: packaging rejects
    that one (``unix`` is no version), and a wrong guess is corrected at check time by the
    URL ``direct_url.json`` records.
    """
    from packaging.utils import (  # deferred: only archive lines need it
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    filename = fragment(url)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None, None
    return str(name), str(version)
