"""The import graph stays a DAG: core -> NumPy; co_players -> core; nothing imports leaderboard."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


def top_level_imports(path: Path, module_level_only: bool) -> set[str]:
    """Imported top-level names; with module_level_only, imports inside functions are skipped."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def roots(names):
    return {n.split(".")[0] for n in names} - STDLIB - {"__future__"}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "coop_envs" / "core").glob("*.py")), ids=lambda p: p.name
)
def test_core_imports_only_numpy(path):
    imports = top_level_imports(path, module_level_only=False)
    assert roots(imports) <= {"numpy", "coop_envs"}
    assert all(not n.startswith("coop_envs") or n.startswith("coop_envs.core") for n in imports)


@pytest.mark.parametrize("path", sorted((ROOT / "coop_envs").glob("*.py")), ids=lambda p: p.name)
def test_front_ends_import_no_co_players_at_module_level(path):
    imports = top_level_imports(path, module_level_only=True)
    assert roots(imports) <= {"numpy", "gymnasium", "pettingzoo", "coop_envs"}


@pytest.mark.parametrize("path", sorted((ROOT / "co_players").rglob("*.py")), ids=lambda p: p.name)
def test_co_players_import_only_the_core(path):
    imports = top_level_imports(path, module_level_only=True)
    assert roots(imports) <= {"numpy", "scipy", "coop_envs", "co_players"}
    assert all(not n.startswith("coop_envs") or n.startswith("coop_envs.core") for n in imports)


def test_nothing_imports_leaderboard_and_baselines_stay_below_it():
    for package in ("coop_envs", "co_players", "baselines"):
        for path in (ROOT / package).rglob("*.py"):
            assert "leaderboard" not in roots(top_level_imports(path, module_level_only=False)), (
                path
            )


def test_importing_envs_and_co_players_loads_no_torch_or_axelrod():
    code = (
        "import sys, coop_envs, co_players; print(sorted({'torch', 'axelrod'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
