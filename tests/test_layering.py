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


PACKAGES = ("coop_envs", "co_players", "baselines", "leaderboard")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its file (functions included).

    ``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
    Relative imports are resolved. Parent packages are not added: every package's
    ``__init__`` re-exports its submodules, which Python runs first without a circle.
    """
    modules = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_lazy_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_even_through_function_level_imports():
    graph = import_graph()
    assert "baselines.trainer" in graph and "co_players.registry" in graph
    assert cycles(graph) == []
