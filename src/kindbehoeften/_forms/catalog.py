"""The form catalog: built-in forms, the author's directories, and lookup by id and version.

The built-in forms ship inside the package (``kindbehoeften/forms/*.toml``) and are read once,
lazily; those whose bytes the library records as checked (:mod:`._forms.checked`) are built
without running the schema and the checks again, any other goes through every gate.

Further directories come from the ``paths`` argument or from the ``KINDBEHOEFTEN_FORMS_PATH``
variable (directories separated by ``os.pathsep``). Each lookup lists those directories again
and reads their files again when one was added, removed or changed (its size, time or inode),
so an author sees a changed file at the next call. Entries named ``*.toml`` that are not
regular files (folders, pipes, dangling links) are skipped with a
:class:`~kindbehoeften.errors.FormsPathWarning`; no file is opened before it is known to be a
regular file.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from .._core.model import Form
from .._core.vocab import exact_str
from ..errors import FormDefinitionError, FormProblem, FormsPathWarning, UnknownFormError
from .datafiles import NO_PATH, read_limited
from .files import read_form_file
from .sources import (
    FORMS_PATH_VARIABLE,
    PathLike,
    Source,
    builtin_sources,
    directories,
    version_key,
)

__all__ = ["FORMS_PATH_VARIABLE", "PathLike", "find_form", "forms", "load_form"]


class _Catalog:
    """Forms by id and version, built from form files; extensions find their base here."""

    def __init__(self, base: _Catalog | None = None) -> None:
        self._forms: dict[tuple[str, str], Form] = dict(base._forms) if base else {}
        self._origins: dict[tuple[str, str], str] = dict(base._origins) if base else {}

    def add_sources(self, sources: Iterable[Source]) -> None:
        """Read every source; extensions are read once their base is in the catalog."""
        problems: list[FormProblem] = []
        pending = list(sources)
        while pending:
            waiting: list[tuple[Source, FormDefinitionError]] = []
            for source in pending:
                try:
                    form = read_form_file(
                        source.path,
                        resolve_base=self.get,
                        name=source.name,
                        data=source.data,
                        checked=source.checked,
                    )
                except FormDefinitionError as failure:
                    waiting.append((source, failure))
                    continue
                self._add(form, source.name, problems)
            if len(waiting) == len(pending):  # no progress: these are broken for good
                problems.extend(problem for _, broken in waiting for problem in broken.problems)
                break
            pending = [source for source, _ in waiting]
        if problems:
            raise FormDefinitionError(problems)

    def _add(self, form: Form, name: str, problems: list[FormProblem]) -> None:
        key = (form.id, form.version)
        if key in self._forms:
            problems.append(
                FormProblem(
                    name,
                    "form",
                    f"{form.key} is also defined in {self._origins[key]}; "
                    "give one of them a new version",
                )
            )
            return
        self._forms[key] = form
        self._origins[key] = name

    def get(self, form_id: str, version: str | None = None) -> Form:
        """The form with this id: the given version, or else the newest."""
        if version is not None:
            form = self._forms.get((form_id, version))
            if form is not None:
                return form
        else:
            versions = [key[1] for key in self._forms if key[0] == form_id]
            if versions:
                return self._forms[(form_id, max(versions, key=version_key))]
        versions = sorted((key[1] for key in self._forms if key[0] == form_id), key=version_key)
        raise UnknownFormError(form_id, version, sorted({key[0] for key in self._forms}), versions)

    def all(self) -> tuple[Form, ...]:
        ordered = sorted(self._forms, key=lambda key: (key[0], version_key(key[1])))
        return tuple(self._forms[key] for key in ordered)


@cache
def _builtin_catalog() -> _Catalog:
    catalog = _Catalog()
    catalog.add_sources(builtin_sources())
    return catalog


Fingerprint = tuple[tuple[str, int, int, int, int], ...]

# The catalogs of the forms path, by its directories, each with the fingerprint of the files it
# was read from: a lookup lists the directories again (cheap) and reads the files again only
# when one was added, removed or changed.
_CATALOGS: dict[tuple[str, ...], tuple[Fingerprint, _Catalog]] = {}
_MAX_CATALOGS = 16


_NOT_A_DIRECTORY = (
    f"is not a directory of form files; check the forms path (${FORMS_PATH_VARIABLE}, or the "
    "paths given)"
)


def _listing(folders: list[Path]) -> tuple[list[Path], Fingerprint, list[str]]:
    """The regular ``*.toml`` files of the directories, their fingerprint, and the entries
    named ``*.toml`` that are not regular files (folders, pipes, dangling links ...)."""
    files: list[Path] = []
    marks: list[tuple[str, int, int, int, int]] = []
    skipped: list[str] = []
    for directory in folders:
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            raise FormDefinitionError([FormProblem(str(directory), "", _NOT_A_DIRECTORY)]) from None
        except OSError as error:
            raise FormDefinitionError(
                [FormProblem(str(directory), "", f"cannot be read ({error.strerror})")]
            ) from None
        except ValueError:  # a NUL, or a character the file system's encoding has not
            raise FormDefinitionError([FormProblem(str(directory), "", NO_PATH)]) from None
        for entry in entries:
            if not entry.name.endswith(".toml"):
                continue
            try:
                status = entry.stat()  # follows a link; never opens the file
            except OSError:
                skipped.append(entry.path)  # a dangling link
                continue
            if not stat.S_ISREG(status.st_mode):
                skipped.append(entry.path)
                continue
            files.append(Path(entry.path))
            marks.append(
                (
                    entry.path,
                    status.st_ino,
                    status.st_size,
                    status.st_mtime_ns,
                    status.st_ctime_ns,
                )
            )
    return files, tuple(marks), skipped


def _catalog(paths: Sequence[PathLike] | None) -> _Catalog:
    folders = directories(paths)
    if not folders:
        return _builtin_catalog()
    files, fingerprint, skipped = _listing(folders)
    key = tuple(str(folder) for folder in folders)
    cached = _CATALOGS.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    for name in skipped:
        warnings.warn(
            f"{name} is not a regular file (a folder, a pipe or a dangling link): skipped; "
            "move it out of the forms path",
            FormsPathWarning,
            stacklevel=4,
        )
    catalog = _Catalog(_builtin_catalog())
    sources: list[Source] = []
    problems: list[FormProblem] = []
    for path in files:
        try:
            sources.append(Source(str(path), path, read_limited(path)))
        except OSError as error:  # unreadable, or replaced by something else since the listing
            problems.append(FormProblem(str(path), "", f"cannot be read ({error.strerror})"))
    if problems:
        raise FormDefinitionError(problems)
    catalog.add_sources(sources)
    if len(_CATALOGS) >= _MAX_CATALOGS:
        _CATALOGS.pop(next(iter(_CATALOGS)))
    _CATALOGS[key] = (fingerprint, catalog)
    return catalog


def forms(paths: Sequence[PathLike] | None = None) -> tuple[Form, ...]:
    """Every form in the catalog, ordered by id and version.

    The built-in forms come first; ``paths`` (or ``KINDBEHOEFTEN_FORMS_PATH``) adds
    directories of form files.

    >>> [form.key for form in forms()]  # doctest: +NORMALIZE_WHITESPACE
    ['triangle.followup@1.0.0', 'triangle.full@1.0.0', 'triangle.plan@1.0.0',
     'triangle.preliminary@1.0.0']
    """
    return _catalog(paths).all()


def find_form(
    form_id: str, version: str | None = None, *, paths: Sequence[PathLike] | None = None
) -> Form:
    """The form with this id in the catalog (the newest version unless one is given). Only an
    id is looked up, never a path: what a submission, a history, a record or a request names
    goes through here. Raises :class:`UnknownFormError`."""
    if not (os.environ.get(FORMS_PATH_VARIABLE) if paths is None else paths):
        return _builtin_catalog().get(form_id, version)  # no forms path: nothing to list
    return _catalog(paths).get(form_id, version)


def _looks_like_path(value: PathLike) -> bool:
    if not isinstance(value, str):
        return True
    return value.endswith((".toml", ".json")) or "/" in value or os.sep in value


def load_form(
    form: PathLike, version: str | None = None, *, paths: Sequence[PathLike] | None = None
) -> Form:
    """Load a form by id from the catalog (the newest version unless one is given), or a file.

    A path (anything ending in ``.toml`` or ``.json``, or holding a ``/``) is read and checked
    as a form file; an extension file finds its base form in the catalog.

    >>> load_form("triangle.full").section("child_needs").area("health").label
    'Health'

    Raises :class:`UnknownFormError` for an unknown id or version, and
    :class:`FormDefinitionError` for a broken file.
    """
    if isinstance(form, str):
        form = str.__str__(form)  # a subclass's text: none of its methods runs
    elif not isinstance(form, os.PathLike):
        raise TypeError(
            f"form must be a form id or a path (str or os.PathLike), not {type(form).__name__}"
        )
    if version is not None:
        version = exact_str("version", version, " or None")
    catalog = _catalog(paths)
    if _looks_like_path(form):
        loaded = read_form_file(Path(form), resolve_base=catalog.get)
        if version is not None and loaded.version != version:
            raise UnknownFormError(loaded.id, version, [loaded.key])
        return loaded
    return catalog.get(str(form), version)
