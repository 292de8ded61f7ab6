"""Command-line errors as one line: what was wrong, the value received, what is accepted.

Every ``python -m baselines.<tool>`` entry point runs through :func:`run_cli`: a ``ValueError``,
``TypeError`` or ``OSError`` (bad input: a setting, a file, a run directory) prints as one line
``error: ...`` on stderr with exit status 2, never a traceback; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

DEBUG_FLAG = "--debug"
"""Show the traceback of an error instead of its one-line message."""


class SettingError(ValueError):
    """A setting's value was refused while the command line was turned into a config."""


def _raise_setting_error(event: Any) -> None:
    """Tyro hook: a refused value becomes a :class:`SettingError` naming the flag if known."""
    message = getattr(event, "message", None)
    if type(event).__name__ != "InstantiationFailure" or not message:
        return
    argument = getattr(event, "argument", None)
    flags = getattr(getattr(argument, "lowered", None), "name_or_flags", None)
    if flags:
        message = f"{'/'.join(flags)}: {message}"
    raise SettingError(message)


@contextmanager
def settings_errors_as_exceptions() -> Iterator[None]:
    """Within the block, a value a config refuses during ``tyro.cli`` raises ``SettingError``.

    tyro draws its own multi-line box for these (a nested config's ``__post_init__`` failing on
    ``--eval.seed -5``); raising lets :func:`run_cli` print them as one line like every other
    bad input. Other parse errors (unknown flags, missing values) keep tyro's box with the
    argument's help. Uses tyro's parse-error hook where this tyro has it; otherwise a no-op.
    """
    try:
        from tyro._errors import on_parse_error
    except ImportError:  # an older tyro: its own box
        yield
        return
    with on_parse_error(_raise_setting_error):
        yield


def run_cli(entry: Callable[[list[str]], int], argv: Sequence[str] | None = None) -> int:
    """Run ``entry(argv)`` (``argv`` without ``--debug``) and turn bad input into one line.

    Args:
        entry: Parses its arguments and runs; returns the exit status.
        argv: The arguments (default ``sys.argv[1:]``).

    Returns:
        ``entry``'s exit status, or 2 after printing ``error: <message>`` on one line.

    Raises:
        Exception: Any error, with its traceback, when ``--debug`` is among the arguments.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args
    args = [a for a in args if a != DEBUG_FLAG]
    try:
        with settings_errors_as_exceptions():
            return entry(args)
    except (ValueError, TypeError, OSError) as exc:
        if debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message} (--debug shows the traceback)", file=sys.stderr)
        return 2
