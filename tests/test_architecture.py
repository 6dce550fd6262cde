"""The apps depend one way: a wrong import between apps fails the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["assembly", "sessions", "participants", "recommendations", "config"]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tree, capture_output=True, text=True, timeout=120, check=False,
    )


def _copy_project(tmp_path: Path) -> Path:
    tree = tmp_path / "project"
    tree.mkdir()
    for app in APPS:
        shutil.copytree(ROOT / app, tree / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_it_accepts_the_project_as_it_is(tmp_path: Path) -> None:
    result = _lint_imports(_copy_project(tmp_path))
    assert result.returncode == 0, result.stdout


def test_it_fails_when_the_root_app_imports_a_later_app(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    with (tree / "assembly" / "selectors.py").open("a") as handle:
        handle.write("\nfrom sessions.models import Weekend  # noqa: E402,F401\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "assembly.selectors -> sessions.models" in result.stdout


def test_it_fails_when_the_sortition_engine_imports_django(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    engine = tree / "participants" / "sortition" / "__init__.py"
    engine.write_text(engine.read_text() + "\nimport django  # noqa: E402,F401\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "participants.sortition -> django" in result.stdout
