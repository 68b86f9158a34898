"""Reading form files: the gates of a form file, and extensions of a built-in form.

A form file goes through four gates, and every problem found at a gate is collected before
:class:`~kindbehoeften.errors.FormDefinitionError` is raised:

1. the bytes: a regular file, the size limit, UTF-8, TOML (or JSON) syntax, nesting depth;
2. the published meta-schema (``schemas/form-file.schema.json``);
3. the typed model (:class:`~kindbehoeften.Form`);
4. what a schema cannot say (:func:`~kindbehoeften._forms.checks.check_form`): unique ids,
   option lists that resolve, conditions that point at existing questions of a fitting type,
   no cycles, ``min <= max``, patterns the linear-time engine compiles.

Gates 1 and 2 are shared with jurisdiction profiles (:mod:`._forms.datafiles`). Nothing in a
form file is ever evaluated as code. A built-in form whose bytes are those recorded in
:mod:`._forms.checked` is known to pass every gate: it is parsed and built (gate 3), and the
schema and the checks are not run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

from .._core.model import Form
from .._core.tomllines import KeyPath
from .checks import check_form
from .datafiles import (
    Problems,
    check_shape,
    error_order,
    in_file,
    json_ready,
    parse,
    parse_checked,
    read_data_file,
    schema_problem,
)

if TYPE_CHECKING:
    import jsonschema

__all__ = ["ResolveBase", "form_file_schema", "read_form_file"]

ResolveBase = Callable[[str, str | None], Form]


def form_file_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) that every form file must satisfy.

    >>> form_file_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _schema_text() -> str:
    return (resources.files("kindbehoeften") / "schemas" / "form-file.schema.json").read_text(
        encoding="utf-8"
    )


@cache
def _meta_validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # only a file that must be checked needs it

    return jsonschema.Draft202012Validator(form_file_schema())


def read_form_file(
    path: str | Path,
    *,
    resolve_base: ResolveBase | None = None,
    name: str | None = None,
    data: bytes | None = None,
    checked: bool = False,
) -> Form:
    """Read, check and build the form in ``path`` (TOML, or JSON in the same shape).

    ``resolve_base(id, version)`` finds the base form of an extension file. ``name`` is the
    file name used in messages (defaults to ``path``); ``data`` gives the bytes when they were
    already read. ``checked`` says that ``data`` are bytes known to pass every gate (a built-in
    form, :func:`._forms.checked.is_checked`): only the model is built from them. Raises
    :class:`FormDefinitionError` listing every problem found.
    """
    path = Path(path)
    problems = Problems(name or str(path))
    if data is None:
        data = read_data_file(path, problems)
    if checked:
        document = json_ready(parse_checked(data))
    else:
        document = parse(data, path.suffix.lower(), problems)
        problems.raise_if_any()
        if path.suffix.lower() != ".json":  # TOML: what concerns the whole file, at line 1
            problems.lines.setdefault((), 1)
        check_shape(document, problems)
        problems.raise_if_any()
        document = json_ready(document)
        headless = isinstance(document, dict) and "form" not in document
        if headless:
            problems.add(("form",), _NO_HEADER)
        for failure in sorted(_meta_validator().iter_errors(document), key=error_order):
            if headless and failure.validator == "required" and not failure.absolute_path:
                continue  # the keys a file needs at its top follow from its [form] table
            problems.add(*schema_problem(failure, document))
        problems.raise_if_any()
    header = document["form"]
    if "extends" in header:
        return _read_extension(document, problems, resolve_base)
    form = _build(document, problems)
    if not checked:
        check_form(form, problems)
        problems.raise_if_any()
    return form


_NO_HEADER = (
    "'form' is missing: start the file with a [form] table: id, version, title and stage for "
    "a form, or id, version and extends for an extension (docs/form-files.md)"
)
_HEADER_KEYS = frozenset({"id", "version", "stage", "title", "description", "base"})
_TYPE_TAGS = frozenset({"int", "float", "bool", "str", "date"})


def _is_type_tag(part: str | int) -> bool:
    """pydantic names the branch of a union in an error's location; a file has no such key."""
    return isinstance(part, str) and (part in _TYPE_TAGS or "[" in part or part[:1].isupper())


def _build(
    document: dict[str, Any], problems: Problems, origin: dict[KeyPath, KeyPath] | None = None
) -> Form:
    try:
        return Form.model_validate(document)
    except pydantic.ValidationError as error:
        for item in error.errors(include_url=False, include_input=False):
            loc = tuple(part for part in item["loc"] if not _is_type_tag(part))
            if loc and loc[0] in _HEADER_KEYS:
                loc = ("form", *loc)
            problems.add(in_file(loc, origin or {}), item["msg"])
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here


# --- extensions ---------------------------------------------------------------------------


def _read_extension(
    document: dict[str, Any], problems: Problems, resolve_base: ResolveBase | None
) -> Form:
    header = document["form"]
    if resolve_base is None:
        problems.add(("form", "extends"), "extends a form, but no catalog was given to find it")
        problems.raise_if_any()
    assert resolve_base is not None
    try:
        base = resolve_base(header["extends"], header.get("extends_version"))
    except LookupError:
        wanted = header["extends"]
        if "extends_version" in header:
            wanted += f" version {header['extends_version']}"
        problems.add(
            ("form", "extends"),
            f"extends {wanted!r}, which is not in the catalog; see `kindbehoeften forms list`",
        )
        problems.raise_if_any()
        raise  # pragma: no cover
    if (header["id"], header["version"]) == (base.id, base.version):
        problems.add(("form", "id"), "an extension needs an id or version of its own")
    combined = base.to_dict()
    combined["form"] = {
        key: value
        for key, value in {
            "id": header["id"],
            "version": header["version"],
            "stage": base.stage,
            "title": header["title"],
            "description": header.get("description"),
            "base": {"id": base.id, "version": base.version},
        }.items()
        if value is not None
    }
    # Where each added question lands in the combined form, to point problems at the file.
    origin: dict[KeyPath, KeyPath] = {}
    lists = combined.setdefault("option_lists", {})
    for name, body in document.get("option_lists", {}).items():
        if name in lists:
            problems.add(
                ("option_lists", name), f"option list {name!r} is already in the base form"
            )
        else:
            lists[name] = body
    for number, extension in enumerate(document["extend"]):
        here: KeyPath = ("extend", number)
        target = _find_area(combined, extension["section"], extension["area"])
        if target is None:
            problems.add(
                (*here, "area"),
                f"the base form {base.key} has no area {extension['section']}.{extension['area']}",
            )
            continue
        section_index, area_index, area = target
        area_path: KeyPath = ("sections", section_index, "areas", area_index)
        taken = {question["id"] for question in area["questions"]}
        for position, question in enumerate(extension["questions"]):
            if question["id"] in taken:
                problems.add(
                    (*here, "questions", position, "id"),
                    f"question id {question['id']!r} is already used in "
                    f"{extension['section']}.{extension['area']}",
                )
                continue
            taken.add(question["id"])
            origin[(*area_path, "questions", len(area["questions"]))] = (
                *here,
                "questions",
                position,
            )
            area["questions"].append(question)
        for position, rule in enumerate(extension.get("require_one_of", [])):
            origin[(*area_path, "require_one_of", len(area.get("require_one_of", [])))] = (
                *here,
                "require_one_of",
                position,
            )
            area.setdefault("require_one_of", []).append(rule)
    problems.raise_if_any()
    form = _build(combined, problems, origin)
    check_form(form, problems, origin=origin)
    problems.raise_if_any()
    return form


def _find_area(
    combined: dict[str, Any], section_id: str, area_id: str
) -> tuple[int, int, dict[str, Any]] | None:
    for section_index, section in enumerate(combined["sections"]):
        if section["id"] != section_id:
            continue
        for area_index, area in enumerate(section["areas"]):
            if area["id"] == area_id:
                area.setdefault("questions", [])
                return section_index, area_index, area
    return None
