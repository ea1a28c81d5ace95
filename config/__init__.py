"""The Django project: settings, URLs and logging; ``__version__`` is the release, read from pyproject.toml."""

import tomllib
from pathlib import Path

with (Path(__file__).resolve().parent.parent / "pyproject.toml").open("rb") as _file:
    __version__: str = tomllib.load(_file)["project"]["version"]
