"""Frozen, slotted records that behave like frozen dataclasses without importing them.

``import dataclasses`` imports :mod:`inspect` (and with it ``ast``, ``dis`` and
``tokenize``), and every ``@dataclass`` compiles half a dozen generated methods when its
module is imported: together a third of what importing the full check costs.  A
:class:`Record` subclass is declared like a frozen slotted dataclass (annotated fields,
defaults, :func:`field` for ``compare=False`` / ``repr=False``) and keeps what callers of
such a dataclass rely on: the keyword/positional constructor, ``==`` and ``hash`` over the
compared fields, the dataclass ``repr``, ``dataclasses.FrozenInstanceError`` on assignment,
pickling, and :func:`dataclasses.fields` / :func:`~dataclasses.asdict` /
:func:`dataclasses.replace` / :func:`~dataclasses.is_dataclass` (their field descriptions
are built, importing :mod:`dataclasses`, on first use).  Only the constructor is generated
per class, when the first instance is made; the other methods are shared and read
per-class field getters.  :func:`replace`
is :func:`dataclasses.replace` for records, without the import.
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from dataclasses import Field, replace
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    _T = TypeVar("_T")
else:

    def dataclass_transform(**_kwargs: object) -> Callable[[_T], _T]:
        """At run time a no-op: the decorator only tells type checkers what Record does."""
        return lambda target: target


__all__ = ["Record", "field", "replace"]

_MISSING = object()


class _Field:
    """What :func:`field` records about one field until its class is made."""

    __slots__ = ("compare", "default", "repr")

    def __init__(self, default: object, compare: bool, repr: bool) -> None:
        self.default = default
        self.compare = compare
        self.repr = repr


def field(*, default: _T, compare: bool = True, repr: bool = True) -> _T:
    """A field with a default that ``==``/``hash`` (``compare``) or ``repr`` may leave out."""
    return _Field(default, compare, repr)  # type: ignore[return-value]  # read by the class


def _tuple_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A C-speed getter of ``names`` as a tuple (attrgetter returns a bare value for one)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda record: (single(record),)
    return lambda record: ()


def _first_init(self: Record, *args: object, **kwargs: object) -> None:
    """Every record class's ``__init__`` until its first instance: compiles the real one.

    Compiling costs more than making the class, and most record classes a check imports
    are never instantiated in a given run (a passing check makes no ``Outcome``, no
    ``FileProblem``...), so each class pays for its constructor on first use only.
    """
    owner = _owner(type(self))
    _materialize(owner)
    owner.__init__(self, *args, **kwargs)


def _owner(cls: type) -> type[Record]:
    """The record class that declared the fields of ``cls`` (itself, or a plain subclass's base)."""
    for klass in cls.__mro__:
        if "__record_fields__" in klass.__dict__:
            return klass
    raise TypeError(f"{cls.__name__} is not a record class")


def _materialize(owner: type[Record]) -> None:
    """Install ``owner``'s compiled ``__init__`` (once; a race compiles it twice, harmlessly)."""
    if owner.__dict__["__init__"] is _first_init:
        names, defaults = owner.__record_fields__, owner.__record_defaults__
        init = _constructor(owner.__qualname__, names, defaults)
        init.__annotations__ = {**owner.__record_types__, "return": None}
        type.__setattr__(owner, "__init__", init)


def _constructor(qualname: str, names: tuple[str, ...], defaults: dict[str, object]) -> object:
    """The class's ``__init__``, compiled once, as ``@dataclass`` generates it."""
    params = ", ".join(f"{n}=_default_{n}" if n in defaults else n for n in names)
    body = "".join(f"    _set(self, {n!r}, {n})\n" for n in names) or "    pass\n"
    scope: dict[str, object] = {f"_default_{n}": v for n, v in defaults.items()}
    scope["_set"] = object.__setattr__
    exec(f"def __init__(self, {params}):\n{body}", scope)  # noqa: S102  # names are fields
    init = scope["__init__"]
    init.__qualname__ = f"{qualname}.__init__"  # type: ignore[attr-defined]
    return init


class _RecordType(type):
    """Turns a Record subclass's annotated fields into slots and a constructor."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _RecordType:
        if not bases:
            return super().__new__(mcs, name, bases, namespace)
        if any(getattr(base, "__record_fields__", ()) for base in bases):
            raise TypeError(f"{name}: a Record cannot extend another one with fields")
        annotations: dict[str, object] = namespace.get("__annotations__", {})
        names: list[str] = []
        defaults: dict[str, object] = {}
        compared: list[str] = []
        shown: list[str] = []
        for key, annotation in annotations.items():
            if isinstance(annotation, str) and annotation.startswith(
                ("ClassVar", "typing.ClassVar")
            ):
                continue
            value = namespace.pop(key, _MISSING)
            spec = value if isinstance(value, _Field) else _Field(value, True, True)
            if spec.default is not _MISSING:
                defaults[key] = spec.default
            elif defaults:
                raise TypeError(f"{name}: non-default field {key!r} follows a default one")
            names.append(key)
            compared.extend([key] if spec.compare else [])
            shown.extend([key] if spec.repr else [])
        fields = tuple(names)
        namespace["__slots__"] = namespace["__match_args__"] = fields
        namespace["__record_fields__"] = fields
        namespace["__record_defaults__"] = defaults
        namespace["__record_types__"] = {key: annotations[key] for key in fields}
        namespace["__record_values__"] = staticmethod(_tuple_getter(fields))
        namespace["__record_compared__"] = tuple(compared)
        namespace["__record_key__"] = staticmethod(_tuple_getter(tuple(compared)))
        namespace["__record_shown__"] = tuple(shown)
        namespace["__record_shown_values__"] = staticmethod(_tuple_getter(tuple(shown)))
        namespace["__init__"] = _first_init
        return super().__new__(mcs, name, bases, namespace)


class _Signature:
    """``__signature__``: None, after installing the compiled ``__init__``, so that
    :func:`inspect.signature` reads the constructor's real parameters, as for a dataclass."""

    def __get__(self, instance: object, owner: type[Record]) -> None:
        if owner.__dict__.get("__record_fields__") is not None:
            _materialize(owner)


class _DataclassFields:
    """``__dataclass_fields__``, made on first use from an equivalent real dataclass."""

    def __get__(self, instance: object, owner: type[Record]) -> dict[str, Field[Any]]:
        cached: dict[str, Field[Any]] | None = owner.__dict__.get("__record_dataclass__")
        if cached is None:
            import dataclasses  # deferred: only callers of dataclasses' functions pay for it

            namespace: dict[str, object] = {"__annotations__": {}}
            for name in owner.__record_fields__:
                namespace["__annotations__"][name] = owner.__record_types__[name]  # type: ignore[index]
                namespace[name] = dataclasses.field(
                    default=owner.__record_defaults__.get(name, dataclasses.MISSING),
                    compare=name in owner.__record_compared__,
                    repr=name in owner.__record_shown__,
                )
            shadow: Any = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), namespace))
            cached = shadow.__dataclass_fields__
            type.__setattr__(owner, "__record_dataclass__", cached)
        return cached


def _frozen(message: str) -> BaseException:
    from dataclasses import FrozenInstanceError  # deferred: only a misuse pays for it

    return FrozenInstanceError(message)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record(metaclass=_RecordType):
    """The base of bootguard's frozen records (see the module docstring)."""

    __slots__ = ()
    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
        __record_fields__: ClassVar[tuple[str, ...]]
        __record_defaults__: ClassVar[dict[str, object]]
        __record_types__: ClassVar[dict[str, object]]
        __record_compared__: ClassVar[tuple[str, ...]]
        __record_shown__: ClassVar[tuple[str, ...]]

        @staticmethod
        def __record_values__(record: object) -> tuple[object, ...]: ...
        @staticmethod
        def __record_key__(record: object) -> tuple[object, ...]: ...
        @staticmethod
        def __record_shown_values__(record: object) -> tuple[object, ...]: ...
    else:
        __dataclass_fields__ = _DataclassFields()
        __signature__ = _Signature()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self.__record_key__(self) == self.__record_key__(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.__record_key__(self))

    def __repr__(self) -> str:
        shown = zip(self.__record_shown__, self.__record_shown_values__(self), strict=True)
        inner = ", ".join(f"{name}={value!r}" for name, value in shown)
        return f"{self.__class__.__qualname__}({inner})"

    if not TYPE_CHECKING:  # hidden from type checkers, which would then allow any name

        def __setattr__(self, name: str, value: object) -> None:
            raise _frozen(f"cannot assign to field {name!r}")

        def __delattr__(self, name: str) -> None:
            raise _frozen(f"cannot delete field {name!r}")

    def __replace__(self, **changes: object) -> Record:
        """:func:`copy.replace` (Python 3.13), as for a dataclass."""
        return _replace(self, **changes)

    def __reduce__(self) -> tuple[type[Record], tuple[object, ...]]:
        return (self.__class__, self.__record_values__(self))


def _replace(record: Record, /, **changes: object) -> Record:
    """:func:`dataclasses.replace` for a Record, without importing dataclasses."""
    values = dict(zip(record.__record_fields__, record.__record_values__(record), strict=True))
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {min(unknown)!r}")
    values.update(changes)
    return record.__class__(**values)


if not TYPE_CHECKING:  # type checkers read dataclasses.replace, which checks each change
    replace = _replace
