"""The shipped files known to pass every gate: their digests, and what a changed file gets.

The readers skip the schema and the checks for the exact bytes recorded in
``kindbehoeften._forms.checked``; these tests are the other half of that promise: every
recorded file passes every gate here, each digest is that of the file as shipped, and a
file with other bytes goes through every gate.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kindbehoeften
from kindbehoeften import FormDefinitionError
from kindbehoeften._forms import catalog as _catalog
from kindbehoeften._forms import files as _files
from kindbehoeften._forms import sources as _sources
from kindbehoeften._forms.checked import CHECKED, is_checked
from kindbehoeften._forms.datafiles import Problems, parse, parse_checked
from kindbehoeften._forms.files import read_form_file
from kindbehoeften._forms.listing import summaries, summary
from kindbehoeften._lifecycle import deadlines as _deadlines

PACKAGE = Path(str(importlib.resources.files("kindbehoeften")))


def shipped() -> list[str]:
    """The shipped forms and profiles, by their path inside the package."""
    found = [*PACKAGE.glob("forms/*.toml"), *PACKAGE.glob("jurisdictions/*.toml")]
    return sorted(path.relative_to(PACKAGE).as_posix() for path in found)


def digest(name: str) -> str:
    return hashlib.sha256((PACKAGE / name).read_bytes()).hexdigest()


def test_each_shipped_form_and_profile_is_recorded_with_the_digest_of_its_bytes() -> None:
    """A file changed without its digest fails here (and is checked in full at run time,
    only more slowly). Once it passes every gate (the next test), record its new digest in
    src/kindbehoeften/_forms/checked.py."""
    assert {name: digest(name) for name in shipped()} == dict(CHECKED)


@pytest.mark.parametrize("name", shipped())
def test_a_recorded_file_passes_every_gate(name: str) -> None:
    """The digest vouches for the schema and the checks: each file is read here through
    every one of them, as an author's file is."""
    path = PACKAGE / name
    if name.startswith("forms/"):
        form = read_form_file(path, resolve_base=kindbehoeften.load_form)
        assert name == f"forms/{form.id}.toml"
    else:
        code = path.stem
        profile = _deadlines._read_profile(path.read_bytes(), name, code)
        assert code == profile.jurisdiction


def test_a_file_is_checked_only_with_the_recorded_bytes_of_its_own_name() -> None:
    data = (PACKAGE / "forms/triangle.full.toml").read_bytes()
    assert is_checked("forms/triangle.full.toml", data)
    assert not is_checked("forms/triangle.plan.toml", data)
    assert not is_checked("forms/triangle.full.toml", data + b"\n")
    assert not is_checked("forms/triangle.full.toml", data.replace(b"\n", b"\r\n"))


@pytest.mark.parametrize(
    "data", [b'a = 1\n[b]\nc = "d"\n', b"\xef\xbb\xbfa = 1\n", b"when = 2026-11-02\n"]
)
def test_a_recorded_file_is_parsed_as_every_gate_parses_it(data: bytes) -> None:
    """The short way (no checks, no line index) gives the same document, a byte-order mark
    and TOML dates included."""
    assert parse(data, ".toml", Problems("file.toml")) == parse_checked(data)


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped forms and profiles that the built-in catalog and the shipped
    profiles are read from, to be changed by a test; the caches are emptied around it."""
    monkeypatch.delenv("KINDBEHOEFTEN_FORMS_PATH", raising=False)
    for folder in ("forms", "jurisdictions"):
        shutil.copytree(PACKAGE / folder, tmp_path / folder)

    class Resources:
        @staticmethod
        def files(package: str) -> Path:
            assert "kindbehoeften" == package
            return tmp_path

    monkeypatch.setattr(_sources, "resources", Resources)
    monkeypatch.setattr(_deadlines, "resources", Resources)
    _catalog._builtin_catalog.cache_clear()
    _deadlines._shipped.cache_clear()
    yield tmp_path
    _catalog._builtin_catalog.cache_clear()
    _deadlines._shipped.cache_clear()


@pytest.fixture
def schema_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that the form files' meta-schema was run on (by their form id)."""
    ran: list[str] = []
    validator = _files._meta_validator()

    class Spy:
        @staticmethod
        def iter_errors(document: Any) -> Any:
            ran.append(document["form"]["id"])
            return validator.iter_errors(document)

    monkeypatch.setattr(_files, "_meta_validator", lambda: Spy)
    return ran


def test_the_recorded_built_in_forms_are_built_without_the_schema(
    package_copy: Path, schema_runs: list[str]
) -> None:
    assert 4 == len(kindbehoeften.forms())
    assert [] == schema_runs


def test_a_changed_built_in_form_goes_through_every_gate(
    package_copy: Path, schema_runs: list[str]
) -> None:
    """Even a change that alters nothing (a comment) costs the file its vouching."""
    path = package_copy / "forms/triangle.plan.toml"
    path.write_bytes(path.read_bytes() + b"# a comment\n")
    assert 4 == len(kindbehoeften.forms())
    assert ["triangle.plan"] == schema_runs


def test_the_listing_of_the_recorded_built_in_forms_builds_no_form(
    package_copy: Path, schema_runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``forms list`` summarises the vouched files themselves: no form file is read as a
    typed form, so no schema and no model."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a typed form was built")

    monkeypatch.setattr(_catalog, "read_form_file", refused)
    assert 4 == len(summaries())
    assert [] == schema_runs


def test_the_listing_of_a_changed_built_in_form_goes_through_every_gate(
    package_copy: Path, schema_runs: list[str]
) -> None:
    path = package_copy / "forms/triangle.plan.toml"
    path.write_bytes(path.read_bytes().replace(b'title = "Support plan"', b'title = "Changed"'))
    entries = summaries()
    assert ["triangle.plan"] == schema_runs
    assert tuple(summary(form.to_dict()) for form in kindbehoeften.forms()) == entries
    assert "Changed" == next(e["title"] for e in entries if e["id"] == "triangle.plan")


def test_a_built_in_form_changed_for_the_worse_is_refused(package_copy: Path) -> None:
    path = package_copy / "forms/triangle.followup.toml"
    path.write_bytes(b"surprise = true\n" + path.read_bytes())
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.forms()
    assert [("forms/triangle.followup.toml", "surprise")] == [
        (problem.file, problem.path) for problem in caught.value.problems
    ]
    _catalog._builtin_catalog.cache_clear()
    with pytest.raises(FormDefinitionError) as listed:  # and so is its listing
        summaries()
    assert caught.value.problems == listed.value.problems


def test_a_shipped_profile_changed_for_the_worse_is_refused(package_copy: Path) -> None:
    """A changed profile goes through the schema and the holiday calendar's lookup."""
    path = package_copy / "jurisdictions/SE.toml"
    path.write_bytes(path.read_bytes().replace(b'country = "SE"', b'country = "QQ"'))
    with pytest.raises(FormDefinitionError) as caught:
        kindbehoeften.load_profile("SE")
    assert ["'QQ' has no public-holiday calendar"] == [
        problem.message.split(";")[0] for problem in caught.value.problems
    ]
    assert "DK" == kindbehoeften.load_profile("DK").jurisdiction  # the others still load
