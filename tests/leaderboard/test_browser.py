"""The rendered page in headless Chromium: its boards, plots, sorting and per-scenario rows."""

import io
import re
import shutil
import subprocess

import pytest

from leaderboard import cli
from leaderboard.render import render
from leaderboard.storage import Database

from .conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url: str, profile) -> str:
    """The page's DOM after its scripts ran, in headless Chromium (no network)."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_page_renders_sorts_and_expands_in_headless_chromium(tmp_path):
    names = ("tit_for_tat", "always_defect", "win_stay_lose_shift")
    with Database(tmp_path / "lb.sqlite") as db:
        for name in names:
            cli.submit(db, str(EXAMPLES / f"{name}.json"), name, quick=True, out=io.StringIO())
        page = render(db, tmp_path / "site")
    dom = dump_dom(page.as_uri(), tmp_path / "profile")
    assert 'data-ready="yes"' in dom  # the script ran to its end
    assert len(re.findall(r'<tbody class="entry"', dom)) == 3
    images = re.findall(r"<img[^>]*>", dom)
    assert len(images) == 3  # scatter, tournament, the grid of curves
    assert all('data-loaded="yes"' in img for img in images), images
    by_rank = re.findall(r'<tbody class="entry"[^>]*data-name="(\w+)"', dom)

    # sorting by a column (the address can carry it): cooperation, highest first
    dom = dump_dom(page.as_uri() + "#sort=-cooperation&open=always_defect", tmp_path / "profile")
    by_cooperation = re.findall(r'<tbody class="entry"[^>]*data-name="(\w+)"', dom)
    cooperation = [
        float(v) for v in re.findall(r'<tbody class="entry"[^>]*data-cooperation="([\d.-]+)"', dom)
    ]
    assert cooperation == sorted(cooperation, reverse=True) and len(cooperation) == 3
    assert sorted(by_cooperation) == sorted(by_rank) and by_cooperation[-1] == "always_defect"
    assert 'aria-sort="descending"' in dom
    # the expanded entry shows its per-scenario rows, the others keep them hidden
    open_rows = re.findall(r'<tr class="detail">.*?</table>', dom, flags=re.S)
    assert len(open_rows) == 1 and "pd/exploiter_zd_extort_2" in open_rows[0]
    assert dom.count('<tr class="detail" hidden="">') == 2
