"""Serve plotly.js from the installed plotly package, and nothing else from it."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PREFIX = "vendor"


class PlotlyFinder(BaseFinder):
    """Expose ``vendor/plotly.min.js`` only, not the package's widget bundle and data sets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        match = str(PLOTLY_DIR / PLOTLY_FILE) if path == f"{PREFIX}/{PLOTLY_FILE}" else None
        if find_all:
            return [match] if match else []
        return match or ""

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
