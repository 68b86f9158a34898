"""The catalog as a list (``kindbehoeften forms list``): one summary per form, by one rule.

:func:`summary` makes the entry of one form from its file shape, a parsed form file or
``Form.to_dict()``: its id, version, stage, title, number of questions and, for an extension,
its base form. :func:`summaries` lists the catalog. With no forms path and every built-in file
vouched for (:mod:`._forms.checked`), the entries come from the parsed files themselves, and
no typed form is built: building the library's pydantic models cost more than the rest of the
command's start. A forms path, or a built-in file with other bytes, goes through the catalog
(every gate, extensions resolved, every problem raised), and each of its forms is summarised
from ``Form.to_dict()`` by the same function.

>>> [(entry["id"], entry["questions"]) for entry in summaries(())]  # doctest: +ELLIPSIS
[('triangle.followup', ...), ('triangle.full', ...), ('triangle.plan', ...), ...]
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .sources import PathLike, builtin_sources, directories, version_key

__all__ = ["summaries", "summary"]


def summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """The listing's entry of a form in its file shape.

    >>> summary({"form": {"id": "x.y", "version": "1.0.0", "stage": "full", "title": "X"},
    ...          "sections": [{"id": "s", "areas": [{"id": "a", "questions": [
    ...              {"id": "q"}, {"id": "g", "questions": [{"id": "r"}]}]}]}]})
    {'id': 'x.y', 'version': '1.0.0', 'stage': 'full', 'title': 'X', 'questions': 3}
    """
    header = document["form"]
    entry: dict[str, Any] = {
        "id": header["id"],
        "version": header["version"],
        "stage": header["stage"],
        "title": header["title"],
        "questions": sum(
            _count(area.get("questions") or ())
            for section in document.get("sections") or ()
            for area in section.get("areas") or ()
        ),
    }
    if header.get("base") is not None:
        entry["base"] = dict(header["base"])
    return entry


def _count(questions: Iterable[Mapping[str, Any]]) -> int:
    """Questions with those of their groups, at any depth (as ``Form.questions()`` walks)."""
    return sum(1 + _count(question.get("questions") or ()) for question in questions)


def summaries(paths: Sequence[PathLike] | None = None) -> tuple[dict[str, Any], ...]:
    """The entry of every form in the catalog, ordered by id and version, as
    ``[summary(form.to_dict()) for form in forms(paths)]`` gives them."""
    if not directories(paths):
        sources = builtin_sources()
        if all(source.checked for source in sources):
            entries = [summary(tomllib.loads(source.data.decode("utf-8"))) for source in sources]
            return tuple(
                sorted(entries, key=lambda entry: (entry["id"], version_key(entry["version"])))
            )
    from .catalog import forms  # the typed forms, only for what they alone can list

    return tuple(summary(form.to_dict()) for form in forms(paths))
