"""Environment throughput: the batched core against the front ends and outside references.

Prints one table and writes JSON (default ``benchmarks/results/env_throughput.json``). Everything
is measured in the same run, so the ratios at the bottom compare like with like; each figure is
the best of several repeats (the machine is noisy).

Rows:
- core, B = 1 / 64 / 4096 / 65536: ``IteratedGame.step`` with validation, on pre-drawn actions;
- core + co-player + features: what the vector env computes per step (TFT co-player's draw,
  the step, the observation features), without the env object around it;
- vector env, B = 4096 / 65536: ``gym.make_vec(...).step`` against TFT (a deterministic
  co-player: no random draw), and against random tabular co-players (one uniform draw per game);
- gym env / PettingZoo parallel env / AEC env: one game, per step (``gym.make`` wrappers included);
- plain-Python loop: the same game written as a loop over games and rounds;
- PettingZoo ``rps_v2`` parallel env per step (needs pygame-ce), and Axelrod's ``Match``
  (needs the ``axelrod`` extra), where installed;
- public goods (N = 4, 100 rounds), B = 4096 / 65536: ``PublicGoodsGame.step`` plus every
  player's observation;
- Coin Game (3x3, 16 rounds), B = 4096 / 65536: ``CoinGame.step`` plus both players'
  observations, against JaxMARL 0.2.0's ``coin_game`` (``jax.jit`` of ``jax.vmap(env.step)``
  over B games inside a ``lax.scan`` over the 16 rounds; the observations of both agents are
  summed into the carry so XLA cannot drop them) run in ``--jaxmarl-python``'s interpreter, in
  a subprocess that stays up, measured alternately with ours so both see the same load; and a
  plain-Python loop over games and rounds. With JaxMARL there, the JSON also records a
  mechanics check: rewards and moves of 5,000 random transitions, ours against JaxMARL's.

Steps are counted alike for every Coin Game row: one env-step is one game advancing one round
with both players' observations produced, so an episode of B games is B x 16 env-steps. Actions
are drawn uniformly (five moves) before timing. JAX may use every core (XLA's CPU threads); NumPy
here runs on one.

Run:  python benchmarks/env_throughput.py [--quick] [--out PATH] [--jaxmarl-python PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROUNDS = 100


def best_rate(run: Callable[[], int], seconds: float, repeats: int = 5) -> float:
    """Best units/s over ``repeats`` timings of at least ``seconds / repeats`` each."""
    best = 0.0
    budget = seconds / repeats
    for _ in range(repeats):
        units = 0
        start = time.perf_counter()
        while True:
            units += run()
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                break
        best = max(best, units / elapsed)
    return best


def core_rounds_per_second(batch: int, seconds: float) -> float:
    from coop_envs.core import IteratedGame

    core = IteratedGame(batch_size=batch, num_rounds=ROUNDS)
    actions = np.random.default_rng(0).integers(0, 2, size=(ROUNDS, batch, 2))

    def episode() -> int:
        core.reset()
        for t in range(ROUNDS):
            core.step(actions[t])
        return batch * ROUNDS

    return best_rate(episode, seconds)


def core_with_co_player_rounds_per_second(batch: int, seconds: float) -> float:
    from co_players import make_co_player
    from coop_envs.core import IteratedGame

    core = IteratedGame(batch_size=batch, num_rounds=ROUNDS)
    co_player = make_co_player("tit_for_tat")
    rng = np.random.default_rng(0)
    mine = rng.integers(0, 2, size=(ROUNDS, batch))
    joint = np.zeros((batch, 2), dtype=np.int64)

    def episode() -> int:
        core.reset()
        co_player.reset(core.game, batch, rng)
        core.observation(0)
        for t in range(ROUNDS):
            joint[:, 0] = mine[t]
            joint[:, 1] = co_player.act(core.codes[:, 1], rng)
            core.step(joint)
            core.observation(0)
        return batch * ROUNDS

    return best_rate(episode, seconds)


def vector_env_rounds_per_second(
    batch: int, seconds: float, co_player: str = "tit_for_tat"
) -> float:
    import gymnasium as gym

    import coop_envs  # noqa: F401

    envs = gym.make_vec(
        "coop_envs/IteratedPrisonersDilemma-v0", num_envs=batch, co_player=co_player
    )
    actions = np.random.default_rng(0).integers(0, 2, size=(ROUNDS, batch))
    envs.reset(seed=0)

    def episode() -> int:
        envs.reset()
        for t in range(ROUNDS):
            envs.step(actions[t])
        return batch * ROUNDS

    return best_rate(episode, seconds)


def gym_env_steps_per_second(seconds: float) -> float:
    import gymnasium as gym

    import coop_envs  # noqa: F401

    env = gym.make("coop_envs/IteratedPrisonersDilemma-v0", co_player="tit_for_tat")
    actions = [int(a) for a in np.random.default_rng(0).integers(0, 2, size=ROUNDS)]
    env.reset(seed=0)

    def episode() -> int:
        env.reset()
        for a in actions:
            env.step(a)
        return ROUNDS

    return best_rate(episode, seconds)


def parallel_env_steps_per_second(make: Callable[[], object], seconds: float) -> float:
    env = make()
    env.reset(seed=0)
    agents = list(env.possible_agents)
    rng = np.random.default_rng(0)
    spaces = {a: env.action_space(a) for a in agents}
    draws = [{a: int(rng.integers(spaces[a].n)) for a in agents} for _ in range(ROUNDS)]

    def episode() -> int:
        env.reset()
        steps = 0
        for actions in draws:
            if not env.agents:
                break
            env.step(actions)
            steps += 1
        return steps

    return best_rate(episode, seconds)


def aec_env_steps_per_second(seconds: float) -> float:
    from coop_envs import ipd_v0

    env = ipd_v0.env()
    rng = np.random.default_rng(0)
    draws = [int(a) for a in rng.integers(0, 2, size=2 * ROUNDS)]

    def episode() -> int:
        env.reset()
        for a in draws:
            env.step(a)
        return ROUNDS

    return best_rate(episode, seconds)


def python_loop_rounds_per_second(games: int, seconds: float) -> float:
    payoffs = {(0, 0): (1, 1), (0, 1): (-1, 2), (1, 0): (2, -1), (1, 1): (0, 0)}
    rng = random.Random(0)
    actions = [[(rng.randrange(2), rng.randrange(2)) for _ in range(ROUNDS)] for _ in range(games)]

    def episode() -> int:
        for game in actions:
            history = []
            totals = [0, 0]
            codes = [[0, 0]]
            for a0, a1 in game:
                r0, r1 = payoffs[(a0, a1)]
                totals[0] += r0
                totals[1] += r1
                codes.append([1 + 2 * a0 + a1, 1 + 2 * a1 + a0])
                history.append((a0, a1))
        return games * ROUNDS

    return best_rate(episode, seconds)


def rps_steps_per_second(seconds: float) -> float | str:
    try:
        import pettingzoo

        make = lambda: pettingzoo.make("parallel", "classic/rps-v2", max_cycles=ROUNDS)  # noqa: E731
        make()
    except Exception as exc:
        return f"skipped: {type(exc).__name__} (pip install pygame-ce)"
    return parallel_env_steps_per_second(make, seconds)


def axelrod_rounds_per_second(seconds: float) -> float | str:
    try:
        import axelrod as axl
    except ImportError:
        return "skipped: pip install 'coop-envs[axelrod]'"

    def match() -> int:
        axl.Match((axl.TitForTat(), axl.Random()), turns=ROUNDS, seed=0).play()
        return ROUNDS

    return best_rate(match, seconds)


COIN_ROUNDS = 16
PUBLIC_GOODS_ROUNDS = 100

JAXMARL_SERVER = r"""
import json, sys, time
import jax, jax.numpy as jnp
import jaxmarl

T = int(sys.argv[1])
env = jaxmarl.make("coin_game", num_inner_steps=T, num_outer_steps=1)
compiled = {}


def make(batch):
    def rollout(key):
        k0, k1, k2 = jax.random.split(key, 3)
        _, state = jax.vmap(env.reset)(jax.random.split(k0, batch))
        actions = jax.random.randint(k1, (T, 2, batch), 0, 5)

        def body(carry, a):
            state, key, total = carry
            key, sub = jax.random.split(key)
            obs, state, rew, _, _ = jax.vmap(env.step)(
                jax.random.split(sub, batch), state, {"0": a[0], "1": a[1]}
            )
            total = total + rew["0"].sum() + obs["0"].sum() + obs["1"].sum()
            return (state, key, total), None

        (_, _, total), _ = jax.lax.scan(body, (state, k2, 0.0), actions)
        return total

    f = jax.jit(rollout)
    f(jax.random.PRNGKey(0)).block_until_ready()
    return f


from importlib.metadata import version

info = {"ready": True, "jax": jax.__version__, "jaxmarl": version("jaxmarl")}
info["devices"] = str(jax.devices())
print(json.dumps(info), flush=True)


def transitions(request):
    # JaxMARL's rewards and new player cells for given cells (row * 3 + col) and actions
    cells = jnp.array(request["cells"])  # (n, 4): red, blue, red coin, blue coin
    actions = jnp.array(request["actions"])  # (n, 2)
    _, state = env.reset(jax.random.PRNGKey(0))
    n = cells.shape[0]
    batched = jax.tree.map(lambda x: jnp.broadcast_to(x, (n, *jnp.shape(x))), state)
    pos = jnp.stack([cells // 3, cells % 3], axis=-1)
    batched = batched.replace(
        red_pos=pos[:, 0], blue_pos=pos[:, 1], red_coin_pos=pos[:, 2], blue_coin_pos=pos[:, 3]
    )
    step = jax.vmap(lambda k, s, a0, a1: env.step_env(k, s, {"0": a0, "1": a1}))
    keys = jax.random.split(jax.random.PRNGKey(1), n)
    _, after, rew, _, _ = step(keys, batched, actions[:, 0], actions[:, 1])
    moved = jnp.stack([after.red_pos, after.blue_pos], axis=1)
    return {
        "rewards": jnp.stack([rew["0"], rew["1"]], axis=1).tolist(),
        "players": (moved[..., 0] * 3 + moved[..., 1]).tolist(),
    }


for line in sys.stdin:
    if line.startswith("{"):
        print(json.dumps(transitions(json.loads(line))), flush=True)
        continue
    batch, seconds = line.split()
    batch, seconds = int(batch), float(seconds)
    if batch not in compiled:
        compiled[batch] = make(batch)
    f, episodes, i = compiled[batch], 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        f(jax.random.PRNGKey(i)).block_until_ready()
        episodes, i = episodes + 1, i + 1
    print(json.dumps({"rate": batch * T * episodes / (time.perf_counter() - start)}), flush=True)
"""


class JaxMarlCoinGame:
    """JaxMARL's Coin Game in another interpreter, measured on request (``rate(B, seconds)``)."""

    def __init__(self, python: str) -> None:
        env = dict(os.environ, JAX_PLATFORMS="cpu")
        self.process = subprocess.Popen(
            [python, "-c", JAXMARL_SERVER, str(COIN_ROUNDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.info = self._read()

    def _read(self) -> dict:
        while True:  # jaxmarl prints notices of its own on import
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the JaxMARL interpreter exited (code {self.process.wait()})")
            if line.startswith("{"):
                return json.loads(line)

    def rate(self, batch: int, seconds: float) -> float:
        """Env-steps/s of one timing of at least ``seconds`` (compiles on first use of B)."""
        self.process.stdin.write(f"{batch} {seconds}\n")
        self.process.stdin.flush()
        return self._read()["rate"]

    def transitions(self, cells: np.ndarray, actions: np.ndarray) -> dict:
        """JaxMARL's ``rewards`` (n, 2) and new ``players`` cells (n, 2) for these transitions."""
        request = {"cells": cells.tolist(), "actions": actions.tolist()}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def coin_game_mechanics_check(jaxmarl: JaxMarlCoinGame, transitions: int = 5000) -> dict:
    """Our rewards and moves against JaxMARL's from the same states and actions.

    States are four distinct cells (every state our game can reach); coin respawns are not
    compared (the chance models differ on purpose: see ``CoinGame``'s docstring).
    """
    from coop_envs.core.coin_game import CoinGame

    rng = np.random.default_rng(0)
    cells = np.argsort(rng.random((transitions, 9)), axis=1)[:, :4]
    actions = rng.integers(0, 5, size=(transitions, 2))
    core = CoinGame(batch_size=transitions)
    core.reset(rng)
    core.set_positions(cells)
    rewards, _ = core.step(actions)
    theirs = jaxmarl.transitions(cells, actions)
    return {
        "transitions": transitions,
        "with_a_nonzero_reward": int((rewards != 0).any(axis=1).sum()),
        "rewards_equal": bool(np.array_equal(rewards, np.array(theirs["rewards"], np.float32))),
        "moves_equal": bool(np.array_equal(core.positions[:, :2], np.array(theirs["players"]))),
    }


def coin_game_episode(batch: int) -> Callable[[], int]:
    """One timed unit of our Coin Game: reset, 16 rounds of step + both observations."""
    from coop_envs.core.coin_game import CoinGame

    core = CoinGame(batch_size=batch, num_rounds=COIN_ROUNDS)
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 5, size=(COIN_ROUNDS, batch, 2))

    def episode() -> int:
        core.reset(rng)
        for t in range(COIN_ROUNDS):
            core.step(actions[t])
            core.observation(0)
            core.observation(1)
        return batch * COIN_ROUNDS

    return episode


def coin_game_side_by_side(
    batch: int, seconds: float, jaxmarl: JaxMarlCoinGame | None, repeats: int = 5
) -> tuple[float, float | str]:
    """Best env-steps/s of ours and of JaxMARL's at B, timed alternately."""
    episode = coin_game_episode(batch)
    if jaxmarl is not None:
        jaxmarl.rate(batch, 0.1)  # compile outside the timings
    ours, theirs = 0.0, 0.0
    for _ in range(repeats):
        ours = max(ours, best_rate(episode, seconds / repeats, repeats=1))
        if jaxmarl is not None:
            theirs = max(theirs, jaxmarl.rate(batch, seconds / repeats))
    return ours, theirs if jaxmarl is not None else "skipped: pass --jaxmarl-python"


def coin_game_python_loop(games: int, seconds: float) -> float:
    """The Coin Game as plain Python: a loop over games and rounds, tuples for cells."""
    size = 3
    moves = [(0, 1), (0, -1), (1, 0), (-1, 0), (0, 0)]
    rng = random.Random(0)
    actions = [
        [(rng.randrange(5), rng.randrange(5)) for _ in range(COIN_ROUNDS)] for _ in range(games)
    ]
    cells = [(r, c) for r in range(size) for c in range(size)]

    def observe(own, other, own_coin, other_coin):
        obs = [[[0.0] * size for _ in range(size)] for _ in range(4)]
        for k, (r, c) in enumerate((own, other, own_coin, other_coin)):
            obs[k][r][c] = 1.0
        return obs

    def episode() -> int:
        for game in actions:
            p0, p1, c0, c1 = rng.sample(cells, 4)
            totals = [0.0, 0.0]
            for a0, a1 in game:
                p0 = ((p0[0] + moves[a0][0]) % size, (p0[1] + moves[a0][1]) % size)
                p1 = ((p1[0] + moves[a1][0]) % size, (p1[1] + moves[a1][1]) % size)
                totals[0] += (p0 == c0) + (p0 == c1) - 2 * (p1 == c0)
                totals[1] += (p1 == c1) + (p1 == c0) - 2 * (p0 == c1)
                if c0 in (p0, p1):
                    c0 = rng.choice([c for c in cells if c not in (p0, p1, c1)])
                if c1 in (p0, p1):
                    c1 = rng.choice([c for c in cells if c not in (p0, p1, c0)])
                observe(p0, p1, c0, c1)
                observe(p1, p0, c1, c0)
        return games * COIN_ROUNDS

    return best_rate(episode, seconds)


def public_goods_rounds_per_second(batch: int, seconds: float) -> float:
    """``PublicGoodsGame.step`` plus every player's observation, N = 4, 100 rounds."""
    from coop_envs.core.public_goods import PublicGoodsGame

    core = PublicGoodsGame(batch_size=batch, num_rounds=PUBLIC_GOODS_ROUNDS)
    players = core.spec.num_players
    actions = np.random.default_rng(0).integers(0, 2, size=(PUBLIC_GOODS_ROUNDS, batch, players))

    chunk = PUBLIC_GOODS_ROUNDS // 4  # a timed unit is a quarter episode (short timings stay short)

    def quarter() -> int:
        if core.done:
            core.reset()
        for _ in range(chunk):
            core.step(actions[core.t])
            for p in range(players):
                core.observation(p)
        return batch * chunk

    core.reset()
    return best_rate(quarter, seconds)


def provenance() -> dict:
    """The git commit (and whether the tree differs from it) and the load when measured."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "benchmark_file_modified": bool(
            git("status", "--porcelain", "--", "benchmarks/env_throughput.py")
        ),
        "load_average_1_5_15": list(os.getloadavg()),
        "cpu_count": os.cpu_count(),
    }


def matrix_rows(seconds: float) -> tuple[list[tuple[str, str, float | str]], dict[str, float]]:
    """The 2x2 matrix-game rows and their ratios."""
    rows: list[tuple[str, str, float | str]] = []  # (name, unit, value)
    core = {}
    for batch in (1, 64, 4096, 65536):
        core[batch] = core_rounds_per_second(batch, seconds)
        rows.append((f"core step, B={batch}", "rounds/s", core[batch]))
    full = {}
    vector = {}
    for batch in (4096, 65536):
        full[batch] = core_with_co_player_rounds_per_second(batch, seconds)
        rows.append((f"core + TFT co-player + features, B={batch}", "rounds/s", full[batch]))
        vector[batch] = vector_env_rounds_per_second(batch, seconds)
        rows.append((f"vector env (gym.make_vec), B={batch}", "rounds/s", vector[batch]))
    tabular = vector_env_rounds_per_second(65536, seconds, "random_tabular")
    rows.append(("vector env vs random_tabular, B=65536", "rounds/s", tabular))
    from coop_envs import ipd_v0

    gym_rate = gym_env_steps_per_second(seconds)
    rows.append(("gym env (gym.make, one game)", "steps/s", gym_rate))
    par_rate = parallel_env_steps_per_second(ipd_v0.parallel_env, seconds)
    rows.append(("PettingZoo parallel env (one game)", "steps/s", par_rate))
    rows.append(("PettingZoo AEC env (one game)", "rounds/s", aec_env_steps_per_second(seconds)))
    loop = python_loop_rounds_per_second(64, seconds)
    rows.append(("reference: plain-Python loop", "rounds/s", loop))
    rps = rps_steps_per_second(seconds)
    rows.append(("reference: PettingZoo rps_v2 parallel env", "steps/s", rps))
    axl_rate = axelrod_rounds_per_second(seconds)
    rows.append(("reference: Axelrod Match (TFT vs Random)", "rounds/s", axl_rate))

    ratios = {
        "core_B65536_over_python_loop": core[65536] / loop,
        "vector_env_over_core_step_B65536": core[65536] / vector[65536],
        "vector_env_over_core_with_co_player_B65536": full[65536] / vector[65536],
        "vector_env_over_core_step_B4096": core[4096] / vector[4096],
        "core_B1_over_gym_env": core[1] / gym_rate,
    }
    if isinstance(rps, float):
        ratios["coop_parallel_env_over_rps_v2"] = par_rate / rps
    print(
        f"core at B=65536 plays {ratios['core_B65536_over_python_loop']:.0f}x more rounds/s "
        "than the plain-Python loop (goal >= 50x)"
    )
    print(
        f"vector env costs {ratios['vector_env_over_core_step_B65536']:.2f}x the bare core step "
        f"and {ratios['vector_env_over_core_with_co_player_B65536']:.2f}x the core + co-player + "
        "features at B=65536 (goal <= 2x)"
    )
    if "coop_parallel_env_over_rps_v2" in ratios:
        print(
            f"our parallel env steps {ratios['coop_parallel_env_over_rps_v2']:.2f}x "
            "as fast as rps_v2"
        )
    return rows, ratios


def new_game_rows(
    seconds: float, jaxmarl_python: str | None
) -> tuple[list[tuple[str, str, float | str]], dict[str, float], dict]:
    """Public goods and Coin Game rows (JaxMARL side by side), their ratios, JaxMARL's info."""
    rows: list[tuple[str, str, float | str]] = []
    ratios: dict[str, float] = {}
    for batch in (4096, 65536):
        rate = public_goods_rounds_per_second(batch, seconds)
        rows.append((f"public goods N=4 core step + 4 obs, B={batch}", "rounds/s", rate))
    jaxmarl = JaxMarlCoinGame(jaxmarl_python) if jaxmarl_python else None
    coin = {}
    try:
        for batch in (4096, 65536):
            ours, theirs = coin_game_side_by_side(batch, 2 * seconds, jaxmarl)
            coin[batch] = ours
            rows.append((f"coin game core step + 2 obs, B={batch}", "env-steps/s", ours))
            rows.append(
                (
                    f"reference: JaxMARL 0.2.0 coin_game (jit+vmap+scan), B={batch}",
                    "env-steps/s",
                    theirs,
                )
            )
            if isinstance(theirs, float):
                ratios[f"coin_game_core_over_jaxmarl_B{batch}"] = ours / theirs
        info = {}
        if jaxmarl is not None:
            info = {**jaxmarl.info, "mechanics_check": coin_game_mechanics_check(jaxmarl)}
            print(f"mechanics against JaxMARL: {info['mechanics_check']}")
    finally:
        if jaxmarl is not None:
            jaxmarl.close()
    loop = coin_game_python_loop(64, seconds)
    rows.append(("reference: coin game plain-Python loop", "env-steps/s", loop))
    ratios["coin_game_core_B65536_over_python_loop"] = coin[65536] / loop
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}")
    return rows, ratios, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings (noisier)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="seconds per measurement (default 2, or 0.5 with --quick)",
    )
    parser.add_argument(
        "--rows",
        choices=("all", "matrix", "new_games"),
        default="all",
        help="which rows: all, the 2x2 games only, or public goods + Coin Game only",
    )
    parser.add_argument(
        "--jaxmarl-python",
        default=None,
        help="a Python with jaxmarl==0.2.0 and jax (CPU) for the JaxMARL Coin Game rows",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON path (default benchmarks/results/env_throughput[_new_games].json)",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else (0.5 if args.quick else 2.0)
    if seconds <= 0:
        parser.error(f"--seconds must be positive; got {seconds}")
    suffix = "_new_games" if args.rows == "new_games" else ""
    out = args.out or Path(__file__).parent / "results" / f"env_throughput{suffix}.json"
    before = provenance()

    rows: list[tuple[str, str, float | str]] = []
    ratios: dict[str, float] = {}
    jaxmarl_info: dict = {}
    if args.rows in ("all", "matrix"):
        rows, ratios = matrix_rows(seconds)
    if args.rows in ("all", "new_games"):
        more, more_ratios, jaxmarl_info = new_game_rows(seconds, args.jaxmarl_python)
        rows += more
        ratios.update(more_ratios)

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measurement':<{width}}  {'rate':>14}  unit         per step/round")
    for name, unit, value in rows:
        if isinstance(value, str):
            print(f"{name:<{width}}  {value}")
        else:
            print(f"{name:<{width}}  {value:>14,.0f}  {unit:<11}  {1e6 / value:>8.3f} us")

    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": "env_throughput",
        "rows_measured": args.rows,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "provenance": before,
        "load_average_after": list(os.getloadavg()),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "jaxmarl_side": jaxmarl_info,
        },
        "seconds_per_measurement": seconds,
        "config": {
            "schema": 1,
            "matrix_games": {"rounds": ROUNDS, "game": "prisoners_dilemma"},
            "public_goods": {"num_players": 4, "rounds": PUBLIC_GOODS_ROUNDS, "actions": "uniform"},
            "coin_game": {
                "grid_size": 3,
                "rounds": COIN_ROUNDS,
                "observation": "flat (36,) float32, both players, every round",
                "actions": "uniform over the 5 moves, drawn before timing",
                "env_step": "one game advancing one round (B x rounds per episode)",
                "python_loop_games": 64,
            },
        },
        "rows": [{"name": n, "unit": u, "value": v} for n, u, v in rows],
        "ratios": ratios,
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
