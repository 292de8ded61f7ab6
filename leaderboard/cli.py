"""``coop-leaderboard`` (or ``python -m leaderboard``): submit, show, export, render, seed.

Every command takes ``--db PATH`` (default: ``$COOP_LEADERBOARD_DB``, else
``leaderboard.sqlite`` in the working directory). A user error (bad path, name, kind) prints one
line; ``--debug`` (before the command) shows its traceback.

- ``submit PATH --name NAME [--quick] [--ray [ADDRESS]]``: evaluate a submission on the suite (in
  sandboxed worker processes), play it against every stored submission (the tournament) and store
  the results in one transaction; re-submitting the same content is recognised (a full run of a
  quickly scored file is a normal step; a submission keeps its first name). ``--ray`` runs the
  seeds, the trained exploiter and the matches as Ray tasks (a local cluster, or the one at
  ADDRESS), each still in its jail, with the same results.
- ``show``: the ranked boards in the terminal (full suite; quick runs on a provisional board of
  their own) and the failed submissions with their reasons. Runs of an older version of the
  matrix suite (v1) are kept and listed apart, on boards of their own, never ranked with v2's.
- ``export --format csv|json [--out FILE] [--suite-version V]``: the ranked table with every
  metric (``--suite-version 1``: an older matrix suite version's table).
- ``render --out DIR``: a static HTML page (table, plots) that works offline.
- ``seed-references [--quick]``: submit the reference entries (TFT, WSLS, always-defect, a ZD
  extortioner, and the paper's baselines when their checkpoints are present); with ``--game
  public_goods`` or ``--game coin_game``, that game suite's scripted reference entries.

``submit``, ``export`` and ``seed-references`` take ``--game public_goods|coin_game`` for a game
suite (its own version, board and normalisation; default: the matrix suite); ``show`` and
``render`` list every suite's board separately.
- ``restore``: put the automatic backup (``<db>.backup``, refreshed before every write) back in
  place of a damaged or vanished database.

Submissions run in a bubblewrap jail; where ``bwrap`` is missing, ``submit`` refuses ``.py``,
``.pt`` and ``.zip`` files unless ``--trust`` is given.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, TextIO

from leaderboard.game_scoring import FULL_GAME, QUICK_GAME
from leaderboard.game_suites import GAME_SUITES, get_game_suite
from leaderboard.ranking import archived_versions, flat, format_interval, table
from leaderboard.sandbox import (
    INSTALL_HINT,
    UNTRUSTED_KINDS,
    Limits,
    SubmissionFailure,
    jail_available,
)
from leaderboard.storage import Database, backup_path, default_path, restore
from leaderboard.submissions import KINDS, SubmissionError, check_game_kind, inspect_submission
from leaderboard.suite import FULL, MATRIX_SCENARIOS, QUICK, SUITE_VERSION

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "examples" / "submissions"


def code_version() -> str:
    """The package version, plus the git commit when run from a checkout."""
    import coop_envs

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{coop_envs.__version__}+{commit}" if commit else coop_envs.__version__


def check_name(name: Any) -> str:
    """A submission's display name, checked where it enters.

    Raises:
        SubmissionError: If ``name`` is not a non-empty string of printable characters without
            surrounding spaces, at most 80 long.
    """
    if not isinstance(name, str):
        raise SubmissionError(f"--name must be a string; got {name!r}")
    if not name or name != name.strip() or not name.isprintable() or len(name) > 80:
        raise SubmissionError(
            f"--name must be 1-80 printable characters without leading or trailing spaces; "
            f"got {name!r}"
        )
    return name


def _progress_bar(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", dynamic_ncols=True, leave=False)


def tournament_opponents(db: Database, submission: Any) -> list[tuple[int, str, Any]]:
    """``(id, name, submission)`` of every stored entry to play a tournament match against.

    Entries whose file is gone, or changed since it was scored, are left out.
    """
    opponents = []
    for other in db.latest_ok_runs(SUITE_VERSION):
        if other["content_hash"] == submission.content_hash:
            continue
        try:
            opponent = inspect_submission(other["source"], other["kind"])
        except SubmissionError:
            continue  # its file is gone: no match
        if opponent.content_hash == other["content_hash"]:  # unchanged since it was scored
            opponents.append((other["submission_id"], other["name"], opponent))
    return opponents


def submit(
    db: Database,
    source: str,
    name: str,
    *,
    kind: str | None = None,
    quick: bool = False,
    force: bool = False,
    reference: bool = False,
    tournament: bool = True,
    limits: Limits | None = None,
    out: TextIO | None = None,
    ray: str | None = None,
    game: str | None = None,
) -> int:
    """Evaluate and store one submission; returns the exit status (0 ok, 1 failed).

    A progress bar is shown when ``out`` is left to standard output. With ``ray`` (a cluster
    address, or ``"local"``) the suite's parts run as Ray tasks
    (:func:`~leaderboard.scoring.score_submission_on_ray`), with the same results. With
    ``game`` (``"public_goods"``, ``"coin_game"``; ``None`` or ``"matrix"``: the matrix suite)
    the submission is scored on that game's suite (:mod:`leaderboard.game_suites`), its own
    board, without a tournament.
    """
    show_progress = out is None
    out = out or sys.stdout

    game_suite, version, suite = _suite_for(game, ray, quick)
    name = check_name(name)
    submission = inspect_submission(source, kind)
    _check_kind(submission, game_suite)
    limits = limits or Limits()
    unjailed = not (limits.jail and jail_available()) and not limits.trust
    if unjailed and limits.jail and submission.kind in UNTRUSTED_KINDS:
        raise SubmissionError(
            f"refusing to run the {submission.kind} submission {submission.source!r} without a "
            f"jail: loading it runs submitted code, and bubblewrap (bwrap) is missing or cannot "
            f"create namespaces here; {INSTALL_HINT}"
        )
    existing = db.submission_by_hash(submission.content_hash)
    mode = "quick" if quick else "full"
    if existing is not None:
        if name != existing.name:
            raise SubmissionError(
                f"this content is already submitted as {existing.name!r}; got --name {name!r}. "
                f"A submission keeps its name: pass --name {existing.name!r} to score it again"
            )
        latest = db.latest_ok_runs(version, quick=quick)
        if any(r["submission_id"] == existing.id for r in latest) and not force:
            print(
                f"already scored as {existing.name!r} (same content) on the {mode} suite; its "
                "results stand (pass --force to evaluate again"
                + (", or drop --quick for the full suite)" if quick else ")"),
                file=out,
            )
            return 0
    else:
        taken = db.submission_by_name(name)
        if taken is not None:
            raise SubmissionError(
                f"the name {name!r} is taken by another submission ({taken.kind}, "
                f"{taken.source}); choose another --name"
            )
    opponents = tournament_opponents(db, submission) if tournament and game_suite is None else []
    if unjailed and limits.jail:  # stored code entries need the jail as much as this one does
        opponents = [o for o in opponents if o[2].kind not in UNTRUSTED_KINDS]
    steps = len(suite.seeds) + int(suite.trained_exploiter) + len(opponents) + 1
    bar = _progress_bar(steps) if show_progress else None

    def progress(message: str) -> None:
        if bar is not None:
            bar.set_description_str(f"{name}: {message}")
            bar.update(1)

    record = {
        "name": name,
        "kind": submission.kind,
        "source": submission.source,
        "content_hash": submission.content_hash,
        "reference": reference,
        "suite_version": version,
        "code_version": code_version(),
        "seeds": list(suite.seeds),
        "quick": quick,
    }
    try:
        evaluation = _scorer(ray, game_suite)(submission, suite, limits, progress, opponents)
    except SubmissionFailure as failure:
        evaluation = failure
    finally:  # also before a user error (a game suite's agent for another game) is reported
        if bar is not None:
            bar.close()
    if isinstance(evaluation, SubmissionFailure):
        db.record(**record, status="failed", failure_reason=evaluation.reason)
        print(f"submission {name!r} FAILED: {evaluation.reason}", file=out)
        return 1
    db.record(
        **record,
        status="ok",
        seconds=evaluation.seconds,
        metrics=evaluation.metrics,
        curves=evaluation.curves,
        matches=evaluation.matches,
    )
    print(
        f"scored {name!r} in {evaluation.seconds:.1f} s (suite {_label(version)}"
        f"{', quick' if quick else ''})",
        file=out,
    )
    return 0


def _check_kind(submission: Any, game_suite: Any) -> None:
    """Refuse a kind a game suite cannot play (every kind plays the matrix suite)."""
    if game_suite is not None:
        check_game_kind(submission, game_suite.game)


def _label(version: str) -> str:
    """``v2`` for a matrix suite version, a game suite's version as it is."""
    from leaderboard.game_suites import suite_of_version

    return f"v{version}" if suite_of_version(version) is None else version


def _suite_for(game: str | None, ray: str | None, quick: bool) -> tuple[Any, str, Any]:
    """``(game suite or None, suite version, how much to run)`` of a ``submit``."""
    game_suite = _game_suite(game, ray)
    if game_suite is None:
        return None, SUITE_VERSION, QUICK if quick else FULL
    return game_suite, game_suite.version, QUICK_GAME if quick else FULL_GAME


def _game_suite(game: str | None, ray: str | None) -> Any:
    """The game suite ``--game`` names (``None`` for the matrix suite), checked."""
    if game in (None, "matrix"):
        return None
    suite = get_game_suite(game)
    if ray is not None:
        raise ValueError(f"--ray scores the matrix suite only; got --game {game} with --ray")
    return suite


def _scorer(ray: str | None, game_suite: Any = None) -> Any:
    """The suite in this process, or (``ray``: an address or ``"local"``) as Ray tasks."""
    from leaderboard.scoring import score_submission, score_submission_on_ray

    if game_suite is not None:
        from leaderboard.game_scoring import score_game_submission

        return functools.partial(score_game_submission, game_suite)
    if ray is None:
        return score_submission
    return functools.partial(score_submission_on_ray, address=ray)


GAME_BOARD_TITLES = {
    "full": "full suite (3 seeds)",
    "quick": "quick suite, provisional (1 seed; ranked apart from the full suite)",
}

BOARD_TITLES = {
    "full": "full suite (3 seeds, trained exploiter)",
    "quick": "quick suite, provisional (1 seed, no trained exploiter; ranked apart from the full "
    "suite)",
}


def _print_board(rows: list[dict[str, Any]], title: str, out: TextIO) -> None:
    print(f"\n{title}", file=out)
    width = max(len("submission"), *(len(r["name"]) for r in rows)) + 2
    header = (
        f"{'#':>3}  {'submission':<{width}}{'kind':<11}{'score':>16}{'cooperation':>16}"
        f"{'adaptivity':>16}{'exploitability':>16}  marks"
    )
    print(header, file=out)
    for r in rows:
        marks = ("*" if r["pareto"] else "") + (" ref" if r["reference"] else "")
        print(
            f"{r['rank']:>3}  {r['name']:<{width}}{r['kind']:<11}"
            f"{format_interval(r['score']):>16}{format_interval(r['cooperation']):>16}"
            f"{format_interval(r['adaptivity']):>16}"
            f"{format_interval(r['exploitability']):>16}  {marks.strip()}",
            file=out,
        )


def show(db: Database, out: TextIO | None = None) -> int:
    """Print the ranked boards and the failed submissions.

    The current matrix suite's boards (full, then provisional quick), each game suite's, then
    those of older matrix suite versions (archived, each ranked on its own).
    """
    out = out or sys.stdout
    rows = table(db)
    print(f"coop-envs leaderboard, suite v{SUITE_VERSION} ({db.path})", file=out)
    archived = archived_versions(db)
    if not rows:
        games = any(table(db, suite.version) for suite in GAME_SUITES.values())
        older = " and ".join(f"v{v}" for v in archived)
        print(
            "  no scored submissions to the matrix suite"
            + (" (the game suites' boards follow)" if games else "")
            + (f" (the archived {older} boards follow)" if older else "")
            + ("" if games or older else " yet")
            + ": coop-leaderboard submit PATH --name NAME",
            file=out,
        )
    for key, title in BOARD_TITLES.items():
        board_rows = [r for r in rows if r["board"] == key]
        if board_rows:
            _print_board(board_rows, title, out)
    if rows:
        print(
            "\nscore = (cooperation + adaptivity) / 2 - exploitability; ± = 95% interval over "
            "seeds; * = Pareto front of its board (cooperation vs exploitability); ref = "
            "reference entry",
            file=out,
        )
    for suite in GAME_SUITES.values():
        _show_game_suite(db, suite, out)
    for version in archived:
        _show_archived(db, version, out)
    failures = db.failed_runs()
    if failures:
        print("\nfailed submissions:", file=out)
        for f in failures[:20]:
            # the first line is the reason, in full; the page also shows a traceback after it
            reason = (f["reason"] or "no reason recorded").strip().splitlines()[0]
            where = "" if f["suite_version"] == SUITE_VERSION else f" [{f['suite_version']}]"
            print(
                textwrap.fill(
                    reason,
                    width=100,
                    initial_indent=f"  {f['name']}{where}: ",
                    subsequent_indent="    ",
                ),
                file=out,
            )
    return 0


def _show_game_suite(db: Database, suite: Any, out: TextIO) -> None:
    """Print a game suite's boards (nothing when it has no scored entry)."""
    rows = table(db, suite.version)
    if not rows:
        return
    print(f"\n{suite.game} suite {suite.describe()} (ranked on its own)", file=out)
    for key, title in GAME_BOARD_TITLES.items():
        board_rows = [r for r in rows if r["board"] == key]
        if board_rows:
            _print_board(board_rows, title, out)
    print(
        "score = (cooperation + adaptivity) / 2 - exploitability, normalised for this game "
        "(docs/leaderboard.md, 'Game suites')",
        file=out,
    )


def _show_archived(db: Database, version: str, out: TextIO) -> None:
    """Print an older matrix suite version's boards (ranked among themselves only)."""
    rows = table(db, version)
    if not rows:
        return
    print(
        f"\nmatrix suite v{version} (archived: ranked on its own, never with v{SUITE_VERSION}; "
        f"submit an entry again to score it on v{SUITE_VERSION})",
        file=out,
    )
    for key, title in BOARD_TITLES.items():
        board_rows = [r for r in rows if r["board"] == key]
        if board_rows:
            _print_board(board_rows, f"v{version} {title}", out)


def matrix_version(suite_version: Any) -> str:
    """A stored version of the matrix suite, checked (``None``: the current one).

    Raises:
        ValueError: If it is not a version of the matrix suite.
    """
    if suite_version is None:
        return SUITE_VERSION
    if suite_version not in MATRIX_SCENARIOS:
        raise ValueError(
            f"--suite-version must be a version of the matrix suite "
            f"({', '.join(MATRIX_SCENARIOS)}); got {suite_version!r} (a game suite's table: "
            "--game)"
        )
    return suite_version


def export(
    db: Database,
    fmt: str,
    out_path: Path | None,
    out: TextIO | None = None,
    game: str | None = None,
    suite_version: str | None = None,
) -> int:
    """Write the ranked table as CSV or JSON (to a file, or standard output).

    ``game`` picks a game suite's table (default: the matrix suite's); ``suite_version`` an
    older version of the matrix suite (default: the current one). Versions are never mixed.

    Raises:
        ValueError: If ``suite_version`` is not a matrix suite version, or comes with ``game``.
    """
    out = out or sys.stdout
    game_suite = _game_suite(game, None)
    if game_suite is not None and suite_version is not None:
        raise ValueError(
            f"--suite-version picks a matrix suite version; got it with --game {game} "
            f"(whose version is {game_suite.version})"
        )
    version = matrix_version(suite_version) if game_suite is None else game_suite.version
    rows = table(db, version)
    if fmt == "json":
        from baselines.run import code_version

        record = {
            "suite_version": version,
            "exported": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "code": code_version(),  # the checkout that exported it (commit, dirty)
            "rows": rows,
        }
        text = json.dumps(record, indent=2) + "\n"
    else:
        records = flat(rows)
        fields: list[str] = []
        for record in records:
            fields += [k for k in record if k not in fields]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields or ["rank"], restval="")
        writer.writeheader()
        writer.writerows(records)
        text = buffer.getvalue()
    if out_path is None:
        out.write(text)
    else:
        out_path.write_text(text)
        print(f"wrote {out_path}", file=out)
    return 0


REFERENCE_BASELINES = (
    ("stage1/fast", 0),  # in-context best responder (the stage-1 CPU recipe)
    ("mixed_pool/fast", 0),  # mixed-pool trained: cooperates with a copy of itself
    ("stage2/fast", 0),  # the extortioner trained against the stage-1 agent
    ("stage1/cpu", 0),  # the paper's stage-1 hyper-parameters on a CPU budget
)
"""``(experiment variant, seed)`` whose evidence's first agent is a reference entry (one per
recipe; docs/results/<experiment>/<variant>/seed<S>/agent_0.pt), named
``baseline_<experiment>_<variant>_seed<S>``."""


def reference_baseline(ref: str, seed: int) -> tuple[str, Path]:
    """The entry name and agent file of a reference baseline."""
    name = f"baseline_{ref.replace('/', '_')}_seed{seed}"
    return name, ROOT / "docs" / "results" / ref / f"seed{seed}" / "agent_0.pt"


LEARNING_AWARE_BASELINES = (
    ("learning_aware/naive_exact", 0),  # naive learners: mutual defection
    ("learning_aware/lola_exact", 0),  # exact LOLA vs LOLA: cooperation
    ("learning_aware/lola_dice", 0),  # LOLA-DiCE on sampled episodes
    ("learning_aware/mfos_cpu", 0),  # M-FOS's policy after shaping naive learners
    ("learning_aware/coala_cpu", 0),  # COALA-PG's GRU agent
    ("learning_aware/coala_critic", 0),  # COALA-PG with the learner critic, fast naive learners
)
"""``(experiment variant, seed)`` whose first learner (the memory-one vector ``agent_0.json``, or
the GRU checkpoint ``agent_0.pt`` of COALA-PG; docs/learning_aware.md) is a reference entry,
named ``<experiment>_<variant>_seed<S>``."""


def reference_entries() -> list[tuple[str, str]]:
    """``(name, source)`` of the reference submissions that exist in this checkout."""
    entries = [
        ("tit_for_tat", str(REFERENCE_DIR / "tit_for_tat.json")),
        ("win_stay_lose_shift", str(REFERENCE_DIR / "win_stay_lose_shift.json")),
        ("always_defect", str(REFERENCE_DIR / "always_defect.json")),
        ("zd_extort_2", str(REFERENCE_DIR / "zd_extort_2.json")),
    ]
    for ref, seed in REFERENCE_BASELINES:
        name, path = reference_baseline(ref, seed)
        entries.append((name, str(path)))
    for ref, seed in LEARNING_AWARE_BASELINES:
        path = ROOT / "docs" / "results" / ref / f"seed{seed}" / "agent_0.json"
        if not path.exists():
            path = path.with_suffix(".pt")
        entries.append((f"{ref.replace('/', '_')}_seed{seed}", str(path)))
    return [(n, s) for n, s in entries if Path(s).exists()]


GAME_REFERENCE_DIR = ROOT / "leaderboard" / "references"
"""The reference entries of the game suites: ``<game>_<name>.py`` files (scripted bots)."""


def game_reference_entries(game: str) -> list[tuple[str, str]]:
    """``(name, source)`` of a game suite's reference entries (``leaderboard/references``)."""
    get_game_suite(game)
    files = sorted(GAME_REFERENCE_DIR.glob(f"{game}_*.py"))
    return [(path.stem, str(path)) for path in files]


GAME_HELP = (
    f"the suite: matrix (default: the 2x2 matrix games, suite v{SUITE_VERSION}), "
    + ", ".join(f"{g} ({s.version})" for g, s in GAME_SUITES.items())
)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(
        prog="coop-leaderboard",
        description=__doc__.splitlines()[0].replace("``", ""),  # --help is plain text, not reST
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]).replace("``", ""),
    )
    parser.add_argument(
        "--db", type=Path, default=None, help=f"SQLite file (default: {default_path()})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("submit", help="evaluate and store a submission")
    p.add_argument(
        "path",
        help=".py (make_agent), .pt, .zip (SB3), .json (memory-one), axelrod:<name> or an RLlib "
        "checkpoint directory",
    )
    p.add_argument("--name", required=True, help="display name (unique)")
    p.add_argument("--kind", choices=KINDS, default=None, help="override the inferred kind")
    p.add_argument(
        "--quick",
        action="store_true",
        help="one seed, 16 episodes, no trained exploiter (seconds instead of minutes)",
    )
    p.add_argument("--force", action="store_true", help="evaluate again even if already scored")
    p.add_argument("--no-tournament", action="store_true", help="skip the round-robin matches")
    p.add_argument("--game", default=None, help=GAME_HELP)
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="score the seeds, the exploiter and the matches as Ray tasks, each in its own jail: "
        "on the cluster at ADDRESS (e.g. auto, or HEAD_IP:6379), or on a local one without it",
    )
    commands.add_parser("show", help="print the ranked table")
    p = commands.add_parser("export", help="write the table as CSV or JSON")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--out", type=Path, default=None, help="file (default: standard output)")
    p.add_argument("--game", default=None, help="whose suite's table: " + GAME_HELP)
    p.add_argument(
        "--suite-version",
        default=None,
        help=f"an older matrix suite version's table ({', '.join(MATRIX_SCENARIOS)}; default: "
        f"{SUITE_VERSION})",
    )
    p = commands.add_parser("render", help="write a static HTML page")
    p.add_argument("--out", type=Path, required=True, help="directory")
    p = commands.add_parser("seed-references", help="submit the reference entries")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--game", default=None, help="whose suite's references: " + GAME_HELP)
    commands.add_parser("restore", help="put the automatic backup back (a damaged database)")
    commands.choices["submit"].add_argument(
        "--trust",
        action="store_true",
        help="run a .py/.pt/.zip submission without a jail where bubblewrap is missing",
    )
    for sub in commands.choices.values():  # --db also after the command, as the help promises
        sub.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="SQLite file")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error (default: one line)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "restore":
            print(f"restored {restore(args.db)} from {backup_path(args.db or default_path())}")
            return 0
        with Database(args.db) as db:
            return _run(args, db)
    except (OSError, ValueError, TypeError, sqlite3.DatabaseError) as exc:
        # a user error (bad path, name, kind or file) is one line; --debug shows where it arose
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message} (--debug for the traceback)", file=sys.stderr)
        return 2


def _run(args: Any, db: Database) -> int:
    if args.command == "submit":
        status = submit(
            db,
            args.path,
            args.name,
            kind=args.kind,
            quick=args.quick,
            force=args.force,
            tournament=not args.no_tournament,
            limits=Limits(trust=args.trust),
            ray=args.ray,
            game=args.game,
        )
        show(db)
        return status
    if args.command == "show":
        return show(db)
    if args.command == "export":
        return export(db, args.format, args.out, game=args.game, suite_version=args.suite_version)
    if args.command == "render":
        from leaderboard.render import render

        path = render(db, args.out)
        print(f"wrote {path}")
        return 0
    status = 0
    trusted = Limits(trust=True)  # this checkout's own files: jailed where bwrap exists
    game = None if _game_suite(args.game, None) is None else args.game
    entries = reference_entries() if game is None else game_reference_entries(game)
    for name, source in entries:
        status |= submit(
            db, source, name, quick=args.quick, reference=True, limits=trusted, game=game
        )
    show(db)
    return status
