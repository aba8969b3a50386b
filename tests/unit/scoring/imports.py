"""What a module imports, read from its source: for the tests of how the packages depend on each other."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[3] / "service"


def module_imports(path: Path, package: str) -> list[str]:
    """Every module ``path`` imports (also in functions and under ``TYPE_CHECKING``), relative ones resolved.

    :param package: the package ``path`` belongs to (``service.scoring``), for relative imports.
    """
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.append(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.append(node.module)
    return found


def python_files(*parts: str) -> list[Path]:
    """The ``.py`` files under ``service/<parts>``, recursively."""
    return sorted(SERVICE.joinpath(*parts).rglob("*.py"))


def package_of(path: Path) -> str:
    """The package relative imports in ``path`` start from: its folder (also for an ``__init__.py``)."""
    return ".".join(path.relative_to(SERVICE.parent).parts[:-1])
