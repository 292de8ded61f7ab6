"""Checks for input where it enters: types, finiteness in the dtype used, sizes, one-hots.

Every constructor, ``make``, ``reset`` and loader of :mod:`coop_envs` and :mod:`co_players` checks
its arguments with these helpers, so a bad value gets a ``TypeError`` or ``ValueError`` that names
the parameter, the value received and what is accepted, before any work is done.

Limits: an episode has at most :data:`MAX_NUM_ROUNDS` rounds, a batch at most
:data:`MAX_BATCH_SIZE` games, and a batch's history at most :data:`MAX_HISTORY_CELLS` rounds in
all (B x T); beyond them the error states the number that would be allocated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_NUM_ROUNDS: int = 1_000_000
"""Most rounds per episode (the paper plays 100)."""
MAX_BATCH_SIZE: int = 10_000_000
"""Most games in one batch (``num_envs``, ``batch_size``, episodes of an evaluation)."""
MAX_HISTORY_CELLS: int = 100_000_000
"""Most rounds a batch's history holds, B x T (two int8 actions each: 200 MB)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value: Any, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer within ``[minimum, maximum]``, else raise.

    Args:
        value: The candidate (a Python or NumPy integer; bools are refused).
        name: The parameter's name, for the message.
        minimum: Smallest accepted value (None: no bound).
        maximum: Largest accepted value (None: no bound).

    Returns:
        ``int(value)``.

    Raises:
        TypeError: If ``value`` is not an integer.
        ValueError: If it is out of range (the message names the range).
    """
    accepted = "an int"
    if minimum is not None:
        named = {0: "a non-negative int", 1: "a positive int"}
        accepted = named.get(minimum, f"an int >= {minimum}")
    if not _is_int(value):
        raise TypeError(f"{name} must be {accepted}; got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {accepted}; got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}; got {value:,}")
    return int(value)


def check_positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a positive integer (at most ``maximum``), else raise.

    Args:
        value: The candidate.
        name: Its name, for the message.
        maximum: Largest accepted value (None: no bound).

    Returns:
        ``int(value)``.

    Raises:
        TypeError: If ``value`` is not an integer (bools are refused).
        ValueError: If it is not positive, or above ``maximum``.
    """
    return check_int(value, name, 1, maximum)


def check_float(
    value: Any,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    dtype: Any = np.float64,
) -> float:
    """Return ``value`` as a float if it is a real number, finite in ``dtype``, within range.

    Args:
        value: The candidate (ints and floats, Python or NumPy; bools and strings are refused).
        name: The parameter's name, for the message.
        minimum: Smallest accepted value (None: no bound).
        maximum: Largest accepted value (None: no bound).
        dtype: The dtype the value is used in (``np.float32``: 1e39 overflows).

    Returns:
        ``float(value)``.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If it is NaN, infinite in ``dtype``, or out of range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name} must be a number; got {value!r} ({type(value).__name__})")
    with np.errstate(over="ignore"):
        finite = bool(np.isfinite(np.asarray(value, dtype=np.float64).astype(dtype)))
    if not finite:
        where = "" if np.dtype(dtype) == np.float64 else f" in {np.dtype(dtype).name}"
        raise ValueError(f"{name} must be finite{where}; got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "-inf" if minimum is None else f"{minimum:g}"
        high = "inf" if maximum is None else f"{maximum:g}"
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value!r}")
    return float(value)


def check_probability(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a number in [0, 1], else raise (see check_float)."""
    return check_float(value, name, 0.0, 1.0)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is a bool (Python or NumPy), else raise ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool; got {value!r} ({type(value).__name__})")
    return bool(value)


def check_name(value: Any, name: str = "name") -> str:
    """Return ``value`` if it is a non-empty str (a display name), else raise ``TypeError``."""
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty str; got {value!r}")
    return value


def check_finite_array(values: Any, name: str, dtype: Any = np.float32) -> np.ndarray:
    """Return ``values`` as an array of ``dtype`` if every entry is finite there, else raise.

    Args:
        values: Array-like of numbers.
        name: Its name, for the message.
        dtype: The dtype the numbers are used in (rewards are float32: 1e39 overflows).

    Returns:
        The values as an ndarray of ``dtype``.

    Raises:
        TypeError: If the values are not numbers.
        ValueError: If one is NaN or infinite in ``dtype`` (the message names its index).
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numbers; got {values!r}") from exc
    with np.errstate(over="ignore"):
        converted = array.astype(dtype)
    bad = np.argwhere(~np.isfinite(converted))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        raise ValueError(
            f"{name} must be finite in {np.dtype(dtype).name} (|x| < "
            f"{float(np.finfo(dtype).max):.3g}); got {float(array[index])!r} at index {index}"
        )
    return converted


def check_batch(batch_size: Any, num_rounds: Any, name: str = "batch_size") -> tuple[int, int]:
    """Check a batch of ``batch_size`` games of ``num_rounds`` rounds against the limits.

    Args:
        batch_size: B (called ``name`` in messages: ``num_envs``, ``episodes``, ...).
        num_rounds: T.
        name: What B is called where it enters.

    Returns:
        ``(B, T)`` as ints.

    Raises:
        TypeError: If either is not an integer.
        ValueError: If either is not positive or above its limit, or B x T is above
            :data:`MAX_HISTORY_CELLS` (the message gives the product).
    """
    batch = check_positive_int(batch_size, name, MAX_BATCH_SIZE)
    rounds = check_positive_int(num_rounds, "num_rounds", MAX_NUM_ROUNDS)
    if batch * rounds > MAX_HISTORY_CELLS:
        raise ValueError(
            f"{name} x num_rounds = {batch:,} x {rounds:,} = {batch * rounds:,} rounds would be "
            f"allocated; at most {MAX_HISTORY_CELLS:,} are accepted"
        )
    return batch, rounds


def codes_from_one_hot(observations: np.ndarray, name: str = "observations") -> np.ndarray:
    """The codes of a ``(B, K)`` block of one-hot observations, refusing anything else.

    Args:
        observations: ``(B, K)`` array; each row must be all zeros except one 1.
        name: Its name, for the message.

    Returns:
        ``(B,) int64`` index of the 1 in each row.

    Raises:
        ValueError: If a row is not a one-hot (NaN, all zeros, two ones, other values); the
            message names the first such row and its values.
    """
    block = np.asarray(observations)
    if block.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numbers; got dtype {block.dtype}")
    valid = ((block == 0) | (block == 1)).all(axis=1) & ((block == 1).sum(axis=1) == 1)
    if not valid.all():
        row = int(np.argmin(valid))
        raise ValueError(
            f"{name} must be one-hot (a single 1, the rest 0); got {block[row].tolist()} in "
            f"row {row}"
        )
    return block.argmax(axis=1).astype(np.int64)


def check_fixed(kwargs: Mapping[str, Any], fixed: Mapping[str, Any], owner: str) -> None:
    """Refuse keyword arguments that an id or module fixes (``game`` of ``ipd_v0``).

    Args:
        kwargs: The keyword arguments received.
        fixed: The arguments the id fixes, with their values.
        owner: The id or module, for the message.

    Raises:
        ValueError: If ``kwargs`` sets a fixed argument (even to the same value).
    """
    for key, value in fixed.items():
        if key in kwargs:
            raise ValueError(
                f"{owner} fixes {key}={value!r}; got {key}={kwargs[key]!r}. Use the id of that "
                f"{key}, or the generic id (IteratedMatrixGame-v0 / iterated_matrix_game-v0) with "
                f"{key}=..."
            )
