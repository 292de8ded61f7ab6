"""Command-line errors as one line: what was wrong, the value received, what is accepted.

Every ``python -m baselines.<tool>`` entry point runs through :func:`run_cli`: a ``ValueError``,
``TypeError`` or ``OSError`` (bad input: a setting, a file, a run directory) prints as one line
``error: ...`` on stderr with exit status 2, never a traceback; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

DEBUG_FLAG = "--debug"
"""Show the traceback of an error instead of its one-line message."""


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
        return entry(args)
    except (ValueError, TypeError, OSError) as exc:
        if debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message} (--debug shows the traceback)", file=sys.stderr)
        return 2
