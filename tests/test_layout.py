"""The apps depend on each other in one direction only, as docs/ARCHITECTURE.md draws it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ("accounts", "assessment", "community_review", "reports", "coalitions", "home")
# What each app may import of ours, besides itself. ``reports`` is open to coalitions only through
# its pure modules, which import nothing from Django, and ``wording``, the translated words those
# modules are given.
ALLOWED = {
    "accounts": set(),
    "assessment": {"accounts"},
    "community_review": {"accounts", "assessment"},
    "reports": {"accounts", "assessment", "community_review"},
    "coalitions": {
        *("accounts", "assessment"),
        *("reports.analysis", "reports.charts", "reports.report", "reports.wording"),
    },
    "home": {"accounts", "assessment", "community_review", "reports", "coalitions"},
}
PURE_MODULES = (
    *("assessment/scoring.py", "assessment/instrument_file.py", "assessment/aggregation.py"),
    *("reports/analysis.py", "reports/charts.py", "reports/report.py", "coalitions/benchmarks.py"),
)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Return the dotted names a Python file imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def is_allowed(name: str, allowed: set[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in allowed)


def upward_imports(app: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / app).rglob("*.py")):
        for name in sorted(imported_modules(path, root)):
            top = name.split(".")[0]
            if top in OUR_APPS and top != app and not is_allowed(name, ALLOWED[app]):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("app", OUR_APPS)
def test_app_imports_only_apps_below_it(app):
    assert upward_imports(app) == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_nothing_from_django_or_our_models(module):
    names = imported_modules(ROOT / module)
    assert not [n for n in names if n.split(".")[0] == "django" or n.endswith(".models") or ".models." in n]


def test_the_check_sees_upward_and_relative_imports(tmp_path):
    """Guard the guard: forbidden imports, absolute or relative, are reported."""
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "bad.py").write_text("from coalitions.models import Coalition\nfrom . import models\n")
    (tmp_path / "coalitions").mkdir()
    (tmp_path / "coalitions" / "bad.py").write_text(
        "from reports import selectors, analysis\nfrom ..reports import views\n"
    )
    assert upward_imports("accounts", tmp_path) == ["accounts/bad.py imports coalitions.models.Coalition"]
    assert upward_imports("coalitions", tmp_path) == [
        "coalitions/bad.py imports reports.selectors",
        "coalitions/bad.py imports reports.views",
    ]


def test_the_architecture_doc_names_every_pure_module():
    """docs/ARCHITECTURE.md quotes the list this test enforces, so the two cannot drift apart."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    paragraph = text[text.index("- **Pure cores.**") :].split("\n- ", 1)[0]
    named = set(re.findall(r"`([a-z_/]+\.py)`", paragraph)) - {"tests/test_layout.py"}
    assert named == set(PURE_MODULES)
