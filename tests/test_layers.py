"""The import graph of the package: arrows point down only (design, "Wave 2: Layout").

Each part of ``src/kindbehoeften`` has a rank; a module may import its own part (its
subpackage, or its layer of top-level modules) and anything of a lower rank, never a higher
one. Every import counts: at the top, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import kindbehoeften

# Every test here is bounded in time, as the hostile-input tests are.
pytestmark = pytest.mark.timeout(60)

PACKAGE = "kindbehoeften"
SOURCE = Path(kindbehoeften.__file__).parent

# The rank of each part of the package, by the first name below ``kindbehoeften``; the parts
# of one rank form one layer and may import each other (``__main__`` runs ``cli``).
RANKS: dict[str, int] = {
    "_core": 0,
    "errors": 1,
    "_i18n": 2,
    "_forms": 3,
    "_validation": 4,
    "_lifecycle": 5,
    "_exports": 6,
    "_store": 7,
    "_service": 7,
    "__init__": 8,
    "export": 8,
    "store": 8,
    "cli": 9,
    "__main__": 9,
}


def module_name(path: Path) -> str:
    """``.../kindbehoeften/_forms/files.py`` as ``kindbehoeften._forms.files``; a package's
    ``__init__.py`` as the package's name."""
    parts = [PACKAGE, *path.relative_to(SOURCE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def is_module(name: str) -> bool:
    """Whether ``name`` (``kindbehoeften.x.y``) is a module or a package of the source tree."""
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (SOURCE / relative).with_suffix(".py").is_file() or (
        SOURCE / relative / "__init__.py"
    ).is_file()


def part_of(name: str) -> str:
    """The part of the package that module ``name`` belongs to: ``kindbehoeften`` itself is
    ``__init__``, ``kindbehoeften._forms.files`` is ``_forms``."""
    parts = name.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def imported(path: Path) -> list[tuple[int, str]]:
    """Each module of the package that the file at ``path`` imports, with the line."""
    text = path.read_text(encoding="utf-8")
    return imports_of(text, module_name(path), is_package=path.name == "__init__.py")


def imports_of(text: str, name: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Each module of the package that the source ``text`` of module ``name`` imports: every
    ``import`` statement of the tree (in functions and under ``TYPE_CHECKING`` too), relative
    imports resolved against the module's own package, ``from X import y`` taken as ``X.y``
    when ``y`` is a module."""
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.extend(
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + ".")
            )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                below = f"{target}.{alias.name}"
                found.append((node.lineno, below if is_module(below) else target))
    return found


def allowed(source: str, target: str) -> bool:
    """Whether part ``source`` may import part ``target``: its own part, its own layer
    (``_core`` has no other part), or a lower rank."""
    if source == target:
        return True
    rank = RANKS.get(target)
    return rank is not None and (rank < RANKS[source] or (rank == RANKS[source] and rank > 0))


def test_the_import_walk_resolves_relative_imports_and_finds_every_import() -> None:
    """The walk itself: relative imports are resolved, ``from .. import errors`` names the
    module ``errors``, and imports in functions and under ``TYPE_CHECKING`` count."""
    text = (
        "from typing import TYPE_CHECKING\n"
        "from . import fast\n"
        "from .. import errors, __version__\n"
        "from .._forms.catalog import find_form\n"
        "if TYPE_CHECKING:\n"
        "    from ..export import record\n"
        "def later():\n"
        "    import kindbehoeften.cli\n"
    )
    expected = [
        (2, "kindbehoeften._validation.fast"),
        (3, "kindbehoeften.errors"),
        (3, "kindbehoeften"),
        (4, "kindbehoeften._forms.catalog"),
        (6, "kindbehoeften.export"),
        (8, "kindbehoeften.cli"),
    ]
    assert expected == sorted(
        imports_of(text, "kindbehoeften._validation.validator"), key=lambda item: item[0]
    )
    assert "kindbehoeften._core" == module_name(SOURCE / "_core" / "__init__.py")
    assert [(1, "kindbehoeften._core.model")] == imports_of(
        "from .model import Form\n", "kindbehoeften._core", is_package=True
    )
    assert "__init__" == part_of("kindbehoeften")


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("_core", "_core", True),
        ("_core", "errors", False),
        ("errors", "_core", True),
        ("_forms", "_validation", False),
        ("_lifecycle", "_validation", True),
        ("_lifecycle", "_exports", False),
        ("_exports", "cli", False),
        ("_forms", "__init__", False),
        ("__init__", "_exports", True),
        ("__init__", "cli", False),
        ("cli", "__init__", True),
        ("__main__", "cli", True),
        ("_validation", "somewhere_new", False),
    ],
)
def test_a_part_may_import_its_own_layer_and_lower_ranks_only(
    source: str, target: str, expected: bool
) -> None:
    assert expected == allowed(source, target)


def test_every_module_belongs_to_a_ranked_part() -> None:
    """A new top-level module or subpackage needs its place in the layers (here and in the
    design) before it can be checked."""
    unranked = sorted(
        {part_of(module_name(path)) for path in modules()} - RANKS.keys(),
    )
    assert [] == unranked


@pytest.mark.parametrize(
    "path", modules(), ids=lambda path: str(path.relative_to(SOURCE).with_suffix(""))
)
def test_imports_point_down_only(path: Path) -> None:
    """A module imports its own part and lower ranks only (``_core`` nothing else)."""
    source = part_of(module_name(path))
    upward = [
        f"line {line}: {target}"
        for line, target in imported(path)
        if not allowed(source, part_of(target))
    ]
    assert [] == upward


def test_core_imports_nothing_else_of_the_package() -> None:
    """``_core`` is the bottom: its modules import each other and nothing else of the
    package (not even ``errors``)."""
    outside = sorted(
        f"{path.relative_to(SOURCE)}:{line}: {target}"
        for path in modules()
        if part_of(module_name(path)) == "_core"
        for line, target in imported(path)
        if part_of(target) != "_core"
    )
    assert [] == outside


def test_importing_the_library_imports_no_module_of_the_cli() -> None:
    """``import kindbehoeften`` (and its export facade) in a fresh interpreter loads no
    module of ``kindbehoeften.cli`` (nor ``__main__``): the library never imports the CLI."""
    script = (
        "import json, sys\n"
        "import kindbehoeften, kindbehoeften.export\n"
        "print(json.dumps(sorted(name for name in sys.modules"
        " if name.startswith('kindbehoeften'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=50, check=True
    )
    loaded = json.loads(result.stdout)
    assert "kindbehoeften._core.model" in loaded  # the walk saw the library load
    assert [] == [
        name
        for name in loaded
        if name == "kindbehoeften.cli"
        or name.startswith("kindbehoeften.cli.")
        or name == "kindbehoeften.__main__"
    ]
