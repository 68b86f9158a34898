"""Text patterns of form files, matched in linear time.

A form's ``pattern`` is a regular expression in the syntax of Rust's ``regex`` crate (the
syntax of RE2: Python's own, less backreferences and look-around), matched by the engine that
pydantic-core ships. Such an engine runs in time linear in the answer, whatever the pattern,
so that no pattern and no answer can make validation hang (Python's ``re`` backtracks:
``(a+)+$`` on 41 characters takes minutes). A pattern this engine cannot compile is refused
when its form is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from pydantic_core import SchemaError, SchemaValidator
from pydantic_core import core_schema as cs

__all__ = ["PatternError", "anchored", "matcher"]


class PatternError(ValueError):
    """A pattern that the linear-time engine cannot compile; the text says why."""


def anchored(pattern: str) -> str:
    """``pattern`` matched against the whole answer."""
    return rf"\A(?:{pattern})\z"


@lru_cache(maxsize=1024)
def matcher(pattern: str) -> Callable[[str], bool]:
    """A test of whether a text matches ``pattern`` as a whole; :class:`PatternError` if the
    pattern cannot be compiled (a syntax error, a backreference, look-around, or a size over
    the engine's limit).

    >>> matcher("[0-9]{4}")("2026"), matcher("[0-9]{4}")("20261")
    (True, False)
    """
    try:
        validator = SchemaValidator(
            cs.str_schema(pattern=anchored(pattern), regex_engine="rust-regex")
        )
    except SchemaError as error:
        raise PatternError(_reason(str(error))) from None
    return validator.isinstance_python


def _reason(text: str) -> str:
    """The engine's reason, without its echo of the pattern."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
        if "size limit" in line:
            return "the pattern is too large to compile"
    return "it is not a regular expression this engine reads"
