"""Configurations as data: frozen dataclasses to and from JSON, dotted overrides, checks.

Every configuration of :mod:`baselines` is a tree of frozen dataclasses. This module is the one
way to turn such a tree into JSON (:func:`to_dict`), back (:func:`from_dict`), and to change it by
dotted names (:func:`with_overrides`) — what presets, experiment manifests, sweeps, resumed runs
and the command line all use. Names are the field paths (``algo.lr``, ``pool.init_from``); a
field named ``run`` (the :class:`~baselines.run.RunConfig` every algorithm nests) is *flat*: its
fields are named without the prefix, as on the command line (``seed``, ``eval.every``), and
``run.seed`` works too.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import types
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

FLAT = "run"
"""The nested config whose fields are named without its prefix (see the module docstring)."""


class ConfigError(ValueError):
    """A configuration (a dict, a manifest, an override) names or holds something invalid."""


# ------------------------------------------------------------------------------------ checks
def check_positive(value: Any, name: str, integer: bool = False) -> None:
    """Raise unless ``value`` is a positive number (an int with ``integer``); bools refused."""
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        what = "a positive int" if integer else "a positive number"
        raise ValueError(f"{name} must be {what}; got {value!r}")
    if not integer and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")


def check_nonnegative(value: Any, name: str, integer: bool = False) -> None:
    """Raise unless ``value`` is a finite number >= 0 (an int with ``integer``)."""
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value >= 0:
        what = "an int" if integer else "a number"
        raise ValueError(f"{name} must be {what} >= 0; got {value!r}")
    if not integer and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")


def check_unit(value: Any, name: str) -> None:
    """Raise unless ``value`` is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}")


SEED_MAX = 2**32 - 1
"""Largest seed a configuration accepts (any field named ``*seed`` or ``*seeds``)."""


def check_fields(config: Any, prefix: str = "") -> None:
    """Check every field of the dataclass ``config`` against its type hint, before any work.

    Each config's ``__post_init__`` calls this first, so a value of the wrong type (a string
    for a float, a float for an int, a bool for a number) fails where it enters, naming the
    dotted setting; float settings must be finite, and seeds (fields named ``*seed``,
    ``*seeds``) ints in ``[0, SEED_MAX]``. Nested configs check their own fields.

    Args:
        config: A dataclass instance.
        prefix: The dotted prefix of its fields in messages (``"algo."``).

    Raises:
        TypeError: If a value does not have the field's type.
        ValueError: If a float is NaN or infinite, or a seed is negative or too large.
    """
    hints = _hints(type(config))
    for f in dataclasses.fields(config):
        if not f.init:
            continue
        name, value = prefix + f.name, getattr(config, f.name)
        hint = hints[f.name]
        if not any(_fits(value, option) for option in _options(hint)):
            raise TypeError(
                f"{name} must be {_describe(hint)}; got {value!r} ({type(value).__name__})"
            )
        numbers = value if isinstance(value, tuple) else (value,)
        for number in numbers:
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError(f"{name} must be finite; got {value!r}")
        if f.name.endswith(("seed", "seeds")) and value is not None:
            for seed in numbers:
                if seed < 0:
                    raise ValueError(f"{name} must be an int >= 0; got {value!r}")
                if seed > SEED_MAX:
                    raise ValueError(f"{name} must be at most 2**32 - 1; got {value!r}")


def _fits(value: Any, option: Any) -> bool:
    """Whether ``value`` has the type ``option`` (one member of a union hint)."""
    if option is type(None):
        return value is None
    if option is bool:
        return isinstance(value, bool)
    if option is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if option is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if option is str:
        return isinstance(value, str)
    if option is Path:
        return isinstance(value, (str, os.PathLike))
    origin = typing.get_origin(option)
    if origin is typing.Literal:  # the type here; the config names the accepted values
        return any(type(value) is type(a) for a in typing.get_args(option))
    if origin is tuple:
        args = typing.get_args(option)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(v, args[0]) for v in value)
        return len(args) == len(value) and all(map(_fits, value, args))
    if dataclasses.is_dataclass(option):
        return isinstance(value, option)
    return True  # other hints are checked by the config itself


def _describe(hint: Any) -> str:
    """``hint`` in words (``an int``, ``a number or None``, ``one of 'a2c', 'ppo'``)."""
    words = {bool: "a bool", int: "an int", float: "a number", str: "a str", Path: "a path"}
    parts = []
    for option in _options(hint):
        origin = typing.get_origin(option)
        if option is type(None):
            parts.append("None")
        elif origin is typing.Literal:
            parts.append("one of " + ", ".join(repr(a) for a in typing.get_args(option)))
        elif origin is tuple:
            inner = typing.get_args(option)[0] if typing.get_args(option) else Any
            parts.append(f"a list of {words.get(inner, 'values').split(' ', 1)[1]}s")
        else:
            parts.append(words.get(option, getattr(option, "__name__", str(option))))
    return " or ".join(parts)


# ---------------------------------------------------------------------------- to and from
def json_ready(value: Any) -> Any:
    """Paths to strings and tuples to lists, recursively."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def to_dict(config: Any) -> dict[str, Any]:
    """JSON-friendly form of a (nested) config."""
    return json_ready(dataclasses.asdict(config))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _options(hint: Any) -> tuple[Any, ...]:
    """The members of a union hint (``X | None`` -> ``(X, NoneType)``), else ``(hint,)``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _nested(hint: Any) -> type | None:
    return next((h for h in _options(hint) if dataclasses.is_dataclass(h)), None)


def _coerce(value: Any, hint: Any, name: str) -> Any:
    """``value`` (as JSON or TOML gives it) in the type ``hint`` asks for."""
    options = _options(hint)
    if value is None or (value == "None" and type(None) in options):
        return None  # TOML has no null: "None" is None, as on the command line
    for option in options:
        origin = typing.get_origin(option)
        if origin is tuple and isinstance(value, (list, tuple)):
            return tuple(value)
        if option is Path and isinstance(value, (str, Path)):
            return Path(value)
        if option is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    if any(typing.get_origin(o) is tuple for o in options) and isinstance(value, str):
        raise ConfigError(f"{name} takes a list; got the string {value!r}")
    return value


def from_dict(cls: type, data: Mapping[str, Any], where: str = "") -> Any:
    """Build the dataclass ``cls`` from :func:`to_dict` output (missing keys: the defaults).

    Raises:
        ConfigError: For a key that is no field (the message lists the fields), or a value the
            dataclass refuses (its own message, with the dotted name).
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where or cls.__name__} must be a table of settings; got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"unknown setting{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(where + k for k in unknown)}; known: {', '.join(fields)}"
        )
    hints = _hints(cls)
    kwargs = {}
    for key, value in data.items():
        nested = _nested(hints[key])
        if nested is not None and isinstance(value, Mapping):
            kwargs[key] = from_dict(nested, value, f"{where}{key}.")
        else:
            kwargs[key] = _coerce(value, hints[key], where + key)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where.rstrip('.') or cls.__name__}: {exc}") from exc


# ----------------------------------------------------------------------------------- names
def field_names(cls: type, prefix: str = "") -> list[str]:
    """Every dotted leaf name of the dataclass ``cls`` (``run`` fields without their prefix)."""
    names = []
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        nested = _nested(hints[f.name])
        if nested is not None:
            inner = "" if (f.name == FLAT and not prefix) else f"{prefix}{f.name}."
            names.extend(field_names(nested, inner))
        else:
            names.append(f"{prefix}{f.name}")
    return names


def canonical_name(cls: type, name: str) -> str:
    """The full dotted path of ``name`` in ``cls`` (``seed`` -> ``run.seed``).

    Raises:
        ConfigError: For a name that is no setting of ``cls``, with the closest names.
    """
    parts = name.split(".")
    top = {f.name for f in dataclasses.fields(cls)}
    if parts[0] not in top and FLAT in top:
        parts = [FLAT, *parts]
    target: Any = cls
    for i, part in enumerate(parts):
        if not dataclasses.is_dataclass(target):
            target = None
            break
        fields = {f.name for f in dataclasses.fields(target) if f.init}
        if part not in fields:
            target = None
            break
        hint = _hints(target)[part]
        target = _nested(hint) if i < len(parts) - 1 else hint
    if target is None or dataclasses.is_dataclass(target):
        known = field_names(cls)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(f"unknown setting {name!r}{hint}")
    return ".".join(parts)


def with_overrides(config: Any, overrides: Mapping[str, Any]) -> Any:
    """``config`` with dotted-name settings replaced (``{"algo.lr": 1e-3, "seed": 2}``).

    Values come as JSON or TOML give them (lists for tuples, strings for paths).

    Raises:
        ConfigError: For an unknown name (with the closest names) or a refused value.
    """
    nested: dict[str, Any] = {}
    for name, value in overrides.items():
        path = canonical_name(type(config), name).split(".")
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _apply(config, nested, "")


def _apply(config: Any, changes: dict[str, Any], where: str) -> Any:
    hints = _hints(type(config))
    kwargs = {}
    for key, value in changes.items():
        if isinstance(value, dict) and _nested(hints[key]) is not None:
            kwargs[key] = _apply(getattr(config, key), value, f"{where}{key}.")
        else:
            kwargs[key] = _coerce(value, hints[key], where + key)
    try:
        return dataclasses.replace(config, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from exc


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dictionaries as one, keys joined with dots (``{"a": {"b": 1}}`` -> ``a.b``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def unflatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten` (``{"a.b": 1}`` -> ``{"a": {"b": 1}}``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        *groups, last = key.split(".")
        node = out
        for group in groups:
            node = node.setdefault(group, {})
        node[last] = value
    return out


def differences(mine: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """The dotted keys whose values differ between two nested settings dicts, sorted.

    A key missing from one side counts as ``None`` there (a setting added since a run was saved
    and left at ``None`` is no change).
    """
    a, b = flatten(mine), flatten(other)
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


# ---------------------------------------------------------------------------- old schemas
def unset_meant(cls: type, schema: int) -> dict[str, Any]:
    """What settings of ``cls`` left unset (``None``) meant in configs of schema ``schema``.

    A config class whose default changed meaning declares it in ``UNSET_MEANT``: ``{since:
    {dotted name: value}}`` -- before schema ``since``, leaving the setting unset meant
    ``value`` (names as the flags give them; returned in full, e.g. ``run.threads``). So every
    config recorded (or experiment written) before the change keeps building what it ran, while
    new ones get the new default.
    """
    meant: dict[str, Any] = {}
    for since, settings in sorted(getattr(cls, "UNSET_MEANT", {}).items()):
        if schema < since:
            full = {canonical_name(cls, name): value for name, value in settings.items()}
            meant = {**full, **meant}  # the oldest meaning wins
    return meant


def upgrade_settings(cls: type, data: Mapping[str, Any], schema: int) -> dict[str, Any]:
    """A ``cls`` config's settings recorded at ``schema``, with what its unset ones meant then.

    Args:
        cls: The config class (for :func:`unset_meant`).
        data: Nested settings as recorded (``config.json``, a checkpoint).
        schema: The schema they were recorded at.
    """
    flat = flatten(data)
    return unflatten({**flat, **_left_unset(cls, flat, schema)})


def with_schema(config: Any, schema: int) -> Any:
    """``config`` as a config written for schema ``schema`` means it (see :func:`unset_meant`)."""
    meant = _left_unset(type(config), flatten(to_dict(config)), schema)
    return with_overrides(config, meant) if meant else config


def _left_unset(cls: type, flat: Mapping[str, Any], schema: int) -> dict[str, Any]:
    """Of :func:`unset_meant`, the settings ``flat`` leaves unset."""
    return {k: v for k, v in unset_meant(cls, schema).items() if flat.get(k) is None}


RUN_FIELDS = ("seed", "out", "game", "num_rounds", "time_limit", "threads", "resume", "progress")
"""Top-level fields of a schema-1 config that schema 2 keeps in ``run`` (with ``eval``)."""


def migrate_run_fields(
    data: dict[str, Any], retired: dict[str, Any], drop: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Schema 1 to 2: move the run settings into ``run``, drop and retire settings.

    ``drop`` are settings merged into others (left out); ``retired`` ones are taken out too and
    returned in the second dict unless they had their "off" value.
    """
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    run = {k: data.pop(k) for k in RUN_FIELDS if k in data}
    if "eval" in data:
        run["eval"] = data.pop("eval")
    data["run"] = run
    kept: dict[str, Any] = {}
    for name in (*retired, *drop):
        group, _, key = name.rpartition(".")
        holder = data.get(group, {}) if group else data
        if key in holder:
            value = holder.pop(key)
            if name in retired and value != retired[name]:
                kept[name] = value
    return data, kept
