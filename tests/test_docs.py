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
