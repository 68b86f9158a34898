"""The form-file examples in docs/ are real: each TOML block that defines a form loads."""

import re
from pathlib import Path

import pytest

import kindbehoeften

DOCS = Path(__file__).parent.parent / "docs"
BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def form_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        for number, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
            if block.lstrip().startswith("[form]"):
                blocks.append((f"{page.stem}-{number}", block))
    return blocks


def test_the_form_file_reference_has_whole_form_examples() -> None:
    assert len(form_blocks()) >= 2


@pytest.mark.parametrize(("text"), [pytest.param(text, id=name) for name, text in form_blocks()])
def test_a_form_example_in_the_docs_loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    form = kindbehoeften.load_form(path)
    assert form.sections
    assert Path(path).read_text(encoding="utf-8") == text  # loading never changes the file


def _docstrings_with_examples() -> dict[str, str]:
    """Every docstring of the package's source that holds an example, by where it is."""
    import ast

    package = Path(kindbehoeften.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                text = ast.get_docstring(node, clean=False)
                if text and ">>>" in text:
                    where = getattr(node, "name", "<module>")
                    found[f"{path.relative_to(package)}:{where}"] = text
    return found


def test_every_example_in_a_docstring_is_collected_by_doctest() -> None:
    """Public classes take the public module as ``__module__``, which hides them from
    doctest's search of the module that defines them; a method's example would then never
    run. Such a module lists the class in ``__test__``."""
    import doctest
    import importlib
    import pkgutil

    finder = doctest.DocTestFinder()
    collected: set[str] = set()
    modules = [kindbehoeften.__name__] + [
        info.name
        for info in pkgutil.walk_packages(kindbehoeften.__path__, "kindbehoeften.")
        if not info.name.endswith("__main__")
    ]
    for name in modules:
        module = importlib.import_module(name)
        collected |= {test.docstring or "" for test in finder.find(module, name)}
    missing = [
        where for where, text in _docstrings_with_examples().items() if text not in collected
    ]
    assert [] == missing
