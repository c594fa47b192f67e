"""Run configurations: dataclasses read from CLI flags, TOML files and a run folder's ``config.json``."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from evonas.errors import ConfigError

C = TypeVar("C", bound="RunConfig")
CONFIG_FILE = "config.json"


class RunConfig:
    """Shared reading and checking for the dataclass configs of ``evonas search``."""

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """Hook to convert plain values (e.g. a comma-separated list) before construction."""
        return data

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any], where: str = "config") -> C:
        """From plain keys; an unknown key is an error that lists the known ones."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        return cls(**cls.normalise(cls, dict(data)))  # type: ignore[arg-type]

    @classmethod
    def from_file(cls: type[C], path: Path) -> C:
        """Read a TOML config file with the same keys as the class."""
        return cls.from_dict(read_toml(path), where=str(path))

    def check_ranges(self, rules: dict[str, tuple[bool, str]]) -> None:
        """Raise :class:`ConfigError` for the first ``name: (ok, allowed)`` rule that fails."""
        for name, (ok, allowed) in rules.items():
            if not ok:
                raise ConfigError(f"{name} = {getattr(self, name)!r} is out of range: must be {allowed}")

    def resumed_from(self: C, run_dir: Path) -> C:
        """The config saved in ``run_dir``, with this config's ``workers`` and ``ray``.

        Those two say how to run, not what is found, so a resumed run may change them.
        """
        saved = {**read_run_config(run_dir), "workers": self.workers, "ray": self.ray}  # type: ignore[attr-defined]
        return type(self).from_dict(saved, where=str(Path(run_dir) / CONFIG_FILE))

    def save(self, run_dir: Path) -> None:
        """Write ``config.json`` into a new run folder (refusing to overwrite another run)."""
        if (run_dir / CONFIG_FILE).exists():
            raise ConfigError(f"{run_dir} already holds a run; resume it with --resume {run_dir} or choose another --out")
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / CONFIG_FILE).write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n")  # type: ignore[call-overload]


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML config file as a dict; a missing or malformed file is a :class:`ConfigError`."""
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path}: {err}") from None


def read_run_config(run_dir: Path) -> dict[str, Any]:
    """The ``config.json`` of a run folder, for ``--resume``."""
    path = Path(run_dir) / CONFIG_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"--resume {run_dir}: no {CONFIG_FILE} there (was a search started in this folder?)") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"--resume {run_dir}: {CONFIG_FILE} is damaged ({err})") from None
