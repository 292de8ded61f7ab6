"""The rendered page loads in headless Chromium with its table and every plot."""

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


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_page_renders_in_headless_chromium(tmp_path):
    with Database(tmp_path / "lb.sqlite") as db:
        for name in ("tit_for_tat", "always_defect"):
            cli.submit(db, str(EXAMPLES / f"{name}.json"), name, quick=True, out=io.StringIO())
        page = render(db, tmp_path / "site")
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
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert '<table id="leaderboard">' in dom
    assert len(re.findall(r"<tr[^>]*><td>\d+</td>", dom)) == 2
    images = re.findall(r"<img[^>]*>", dom)
    assert len(images) == 4  # scatter, tournament, two curve plots
    assert all('data-loaded="yes"' in img for img in images), images
