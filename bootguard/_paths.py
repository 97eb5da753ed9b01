"""File paths as ``str``, spelled and walked exactly as :mod:`pathlib` does, without it.

The check runs at every boot, and ``pathlib`` brings ``fnmatch``, ``re``, ``ntpath``,
``urllib.parse`` and ``ipaddress`` with it: more to import than the check costs.  So the
check keeps its paths as ``str`` and uses the few pathlib rules it depends on, written
here once:

* :func:`spelled` names a path as ``str(pathlib.Path(path))`` does (``./a//b/`` -> ``a/b``):
  reports, errors and seal records name a manifest that way, and must keep doing so;
* :func:`is_file` and :func:`resolved` keep ``Path.is_file`` and ``Path.resolve`` semantics
  (which ``os.path.isfile`` and ``os.path.realpath`` differ from in a few errors);
* :class:`FilePath` is a ``str`` with the ``name``/``parent``/``/``/``is_file`` that lock
  readers written against ``Path`` use, so they read a manifest given as either.

Off POSIX the spelling is pathlib's own (imported then): the rules here are the POSIX ones.
"""

from __future__ import annotations

import errno
import os
import sys

__all__ = ["FilePath", "ancestors", "is_file", "parent", "resolved", "spelled"]

#: The errors ``Path.is_file`` reads as "not a file" rather than raising (pathlib's own list).
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def spelled(path: str | os.PathLike[str]) -> str:
    """``str(pathlib.Path(path))``: no empty or ``.`` parts, no trailing slash, ``.`` if empty.

    Two leading slashes stay two (POSIX leaves their meaning to the system), three or more
    become one; ``..`` is kept (it depends on symlinks).  Raises ``TypeError`` for anything
    but a ``str`` or a path-like object naming one, as ``Path()`` does.
    """
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(
            "argument should be a str or an os.PathLike object where __fspath__ returns a str, "
            f"not {type(text).__name__!r}"
        )
    if os.name != "posix":  # pragma: no cover - the rules below are POSIX's
        from pathlib import Path

        return str(Path(text))
    if text.startswith("/"):
        root = "//" if text.startswith("//") and not text.startswith("///") else "/"
    else:
        root = ""
    parts = [part for part in text.split("/") if part and part != "."]
    return root + "/".join(parts) or "."


def parent(path: str) -> str:
    """``str(pathlib.Path(path).parent)`` for a path already :func:`spelled`."""
    slash = path.rfind("/")
    if slash < 0:
        return "."
    root = "//" if path.startswith("//") else "/" if path.startswith("/") else ""
    return path[:slash] if slash >= len(root) else root


def ancestors(path: str) -> list[str]:
    """``[path, *Path(path).parents]`` as strings, for a path already :func:`spelled`."""
    chain = [path]
    while (up := parent(chain[-1])) != chain[-1]:
        chain.append(up)
    return chain


def is_file(path: str | os.PathLike[str]) -> bool:
    """``Path(path).is_file()``: a regular file (symlinks followed).

    Unlike ``os.path.isfile``, an error other than "absent" (a directory that cannot be
    searched, for one) is raised, not read as "no file"; a NUL byte in the path is "no".
    """
    import stat

    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as err:
        if err.errno not in _ABSENT:
            raise
        return False
    except ValueError:
        return False


def resolved(path: str | os.PathLike[str]) -> str:
    """``str(Path(path).resolve())``: absolute, symlinks resolved, missing parts kept.

    Before Python 3.13, ``Path.resolve`` raises ``RuntimeError`` on a symlink loop where
    ``os.path.realpath`` returns the path unresolved; this does as the running Python's.
    """
    real = os.path.realpath(spelled(path))
    if sys.version_info < (3, 13):
        try:
            os.stat(real)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise RuntimeError(f"Symlink loop from {err.filename!r}") from None
    return real


class FilePath(str):
    """A path as a :func:`spelled` ``str``, with the pathlib operations lock readers use.

    Readers take ``Path`` or ``str`` alike; given one of these, a reader that asks for
    ``path.parent / "pyproject.toml"`` gets what ``Path`` would give, with no ``pathlib``.
    """

    __slots__ = ()

    def __new__(cls, path: str | os.PathLike[str]) -> FilePath:
        return super().__new__(cls, spelled(path))

    @property
    def name(self) -> str:
        """The last part, ``""`` for a root or ``.`` (as ``Path.name``)."""
        return "" if self in (".", "/", "//") else self.rpartition("/")[2]

    @property
    def parent(self) -> FilePath:
        """The directory holding this path (as ``Path.parent``)."""
        return FilePath(parent(self))

    def __truediv__(self, other: str) -> FilePath:
        return FilePath(os.path.join(self, other))

    def is_file(self) -> bool:
        """As ``Path.is_file``: see :func:`is_file`."""
        return is_file(self)
