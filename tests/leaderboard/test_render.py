"""The static page: empty and one-entry boards, the boards kept apart, per-scenario rows."""

import io
import re
import warnings

import pytest

from leaderboard import cli
from leaderboard.render import render
from leaderboard.storage import Database

from .conftest import EXAMPLES


@pytest.fixture
def db(tmp_path):
    with Database(tmp_path / "lb.sqlite") as database:
        yield database


def page_of(db, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no matplotlib or numpy warning on any board size
        return render(db, tmp_path / "site").read_text()


def test_empty_board_renders_cleanly(db, tmp_path):
    page = page_of(db, tmp_path)
    assert "No scored submissions yet" in page
    assert '<meta name="viewport"' in page
    assert page.count("data:image/png;base64,") == 2  # scatter and tournament; no curves
    assert "class='entry'" not in page


def test_one_entry_board_with_its_scenarios(db, tmp_path):
    cli.submit(db, str(EXAMPLES / "tit_for_tat.json"), "tft", quick=True, out=io.StringIO())
    page = page_of(db, tmp_path)
    assert page.count("<tbody class='entry'") == 1
    assert page.count("data:image/png;base64,") == 3  # scatter, tournament, curve grid
    (detail,) = re.findall(r"<tr class='detail' hidden>.*?</p></td></tr></tbody>", page)
    scenario_rows = re.findall(r"<td class='left'>(pd|stag_hunt|chicken)/", detail)
    assert len(scenario_rows) >= 20  # every scored scenario of the quick suite
    assert "exact best-response gap: 0.010" in detail
    assert "← worst case" in detail
    assert "-0.000" not in page and "https://" not in page
    assert "data-sort='cooperation'" in page and "<script>" in page


def test_boards_failures_and_references_on_the_page(db, tmp_path, agent_file, monkeypatch):
    from leaderboard.suite import QUICK

    monkeypatch.setattr(cli, "FULL", QUICK)  # a full-suite run at the quick cost
    cli.submit(db, str(EXAMPLES / "tit_for_tat.json"), "tft", out=io.StringIO(), reference=True)
    cli.submit(db, str(EXAMPLES / "always_defect.json"), "alld", quick=True, out=io.StringIO())
    crasher = agent_file("crasher", "raise ValueError('nope')")
    cli.submit(db, str(crasher), "crasher", quick=True, out=io.StringIO())
    page = page_of(db, tmp_path)
    full, quick = page.index("id='board-full'"), page.index("id='board-quick'")
    assert full < page.index('data-name="tft"') < quick < page.index('data-name="alld"')
    assert 'data-reference="1"' in page and "<span class='badge'>reference</span>" in page
    assert "<table id='failed'>" in page and "act() raised ValueError: nope" in page
    assert ">q1</td>" in page  # the quick board's numbers are the scatter's labels


def test_render_refuses_a_non_path(db):
    with pytest.raises(TypeError, match="out must be a directory path; got 3"):
        render(db, 3)
