"""A run's ``config.json`` of any schema, in the current layout (for the report and tools).

Runs written before schema 2 stored the bare config; :func:`read_record` migrates them in
memory (:func:`baselines.config.migrate`, :func:`baselines.ppi.config.migrate_ppi`), so code that
reads run directories sees one layout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baselines.config import TrainConfig, migrate
from baselines.configs import upgrade_settings
from baselines.ppi.config import PPIConfig, migrate_ppi
from baselines.run import SCHEMA


def read_record(directory: Path) -> dict[str, Any]:
    """A run's ``config.json`` in the current layout (a schema-1 file is migrated in memory).

    Returns:
        ``{"schema", "algorithm", "code", "experiment", "sources", "config", ...}``; a migrated
        record has ``migrated: {"from_schema": 1, "retired": {...}}``.

    Raises:
        FileNotFoundError: If there is no ``config.json``.
    """
    data = json.loads((Path(directory) / "config.json").read_text())
    if "schema" in data:
        return data
    ppi = str(data.get("preset", "")).startswith("ppi")
    config, retired = (migrate_ppi if ppi else migrate)(data)
    # what its unset settings meant then, written out (e.g. on-policy training)
    config = upgrade_settings(PPIConfig if ppi else TrainConfig, config, 1)
    return {
        "schema": SCHEMA,
        "algorithm": "ppi" if ppi else "actor_critic",
        "code": {"commit": None, "dirty": None, "package": None},
        "experiment": None,
        "sources": {},
        "migrated": {"from_schema": 1, "retired": retired},
        "config": config,
    }
