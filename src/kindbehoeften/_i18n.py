"""Six languages through gettext catalogs, kept with babel.

One catalog per language, ``locales/<lang>/LC_MESSAGES/kindbehoeften.po``, holds two kinds
of messages:

- the texts of forms (titles, labels, help texts, options). Their message ids are stable keys,
  with the form id as context: ``msgctxt "triangle.full"``, ``msgid
  "child_needs.health.assessment.label"``. A change of the English wording in a form file does
  not orphan a translation; the English text travels along as an extracted comment for
  translators. A form without a translation shows its own text.
- the library's own texts (validation messages, the command line's output). Their ids are the
  English text, with a stable key as context (``msgctxt "validation.max_length"``), and they
  are marked in the code with :func:`pgettext` and :func:`npgettext`, so that
  ``pybabel extract`` finds them.

A locale is negotiated to one of :data:`LOCALES` (``nb_NO`` -> ``nb``, ``sv-FI`` -> ``sv``);
a message missing in that catalog falls back to English. Anything else raises
:class:`~kindbehoeften.errors.UnknownLocaleError`.

Texts are translated from the compiled catalogs beside them (``kindbehoeften.mo``, made by
``pybabel compile``) with the standard library's ``gettext``. babel is imported only where it
is needed: to negotiate a locale other than one of the six codes, and to read, extract and
check the ``.po`` files themselves (:func:`catalog`, :func:`status`); a start of the command
line in any of the six languages does without it.

>>> negotiate("nb_NO"), negotiate("sv-SE"), negotiate("fi")
('nb', 'sv', 'fi')
"""

from __future__ import annotations

import functools
import gettext
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from ._core.tomllines import KeyPath, line_index, line_of
from ._core.vocab import exact_str
from .errors import UnknownLocaleError

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from ._core.model import Form

__all__ = [
    "DOMAIN",
    "LOCALES",
    "LOCALE_VARIABLE",
    "CatalogStatus",
    "Text",
    "catalog",
    "extract_form_file",
    "form_messages",
    "form_text",
    "localize",
    "negotiate",
    "npgettext",
    "pgettext",
    "profile_messages",
    "render",
    "status",
    "template",
    "translate",
]

LOCALES: tuple[str, ...] = ("en", "nl", "sv", "da", "nb", "fi")
DOMAIN = "kindbehoeften"
LOCALE_VARIABLE = "KINDBEHOEFTEN_LOCALE"


class Text(NamedTuple):
    """A message of the library: its context key, its English text and, for counts, its plural."""

    context: str
    singular: str
    plural: str | None = None


def pgettext(context: str, message: str) -> Text:
    """Mark a message for extraction (``pybabel extract`` knows this name); translate it later
    with :func:`render`."""
    return Text(context, message)


def npgettext(context: str, singular: str, plural: str) -> Text:
    """Mark a message with a plural for extraction; :func:`render` picks the form for a count."""
    return Text(context, singular, plural)


# --- locales and catalogs -------------------------------------------------------------------


def negotiate(locale: str | None) -> str:
    """The shipped language for ``locale`` (``None`` is English); ``UnknownLocaleError`` when
    there is none, ``TypeError`` for a locale that is no text.

    >>> negotiate("nl_BE"), negotiate(None), negotiate("no")
    ('nl', 'en', 'nb')
    """
    if locale is None:
        return "en"
    # a subclass's characters: its __hash__ and __eq__ never run in the cache
    return _negotiate(exact_str("locale", locale, " (a language code such as sv)"))


@functools.lru_cache(maxsize=256)
def _negotiate(locale: str) -> str:
    if locale in LOCALES:  # what babel would say, without importing it
        return locale
    import babel

    try:
        parsed = babel.Locale.parse(locale.strip().replace("-", "_"))
    except (ValueError, TypeError, babel.UnknownLocaleError) as error:
        raise UnknownLocaleError(locale, LOCALES) from error
    language = "nb" if parsed.language == "no" else parsed.language
    if language not in LOCALES:
        raise UnknownLocaleError(locale, LOCALES)
    return language


def _locales(root: Path | None) -> Any:
    return resources.files("kindbehoeften") / "locales" if root is None else root


@functools.cache
def catalog(language: str, root: Path | None = None) -> Catalog:
    """The catalog of a shipped language (or of one in ``root``, a ``locales`` folder), as
    babel reads it; an empty catalog if there is no file."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = _locales(root) / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return Catalog(locale=language, domain=DOMAIN)
    with path.open("rb") as stream:
        return read_po(stream, locale=language, domain=DOMAIN)


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a shipped language, read with the standard library's
    ``gettext``: a translation imports no babel and parses no ``.po`` at a start.

    The ``.mo`` files are made from the ``.po`` files by ``pybabel compile`` (fuzzy entries
    left out: they are not yet translated), and ``tests/test_i18n.py`` fails when one is not
    what the compiler makes of its ``.po`` today.
    """
    path = _locales(None) / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as stream:
        return gettext.GNUTranslations(stream)


def render(text: Text, locale: str = "en", n: int | None = None, **params: Any) -> str:
    """``text`` in the language of ``locale``, with ``params`` filled in; ``n`` chooses the
    plural form of a text that has one (``count`` in ``params`` does too, when ``n`` is not
    given).

    >>> render(npgettext("example", "{count} form", "{count} forms"), count=4)
    '4 forms'
    >>> render(pgettext("cli.column.problem", "problem"), "sv")
    'problem'
    """
    count = n if n is not None else params.get("count")
    return _template(text, negotiate(locale), count if isinstance(count, int) else None).format(
        **params
    )


def _template(text: Text, language: str, count: int | None) -> str:
    english = text.singular if text.plural is None or count == 1 else text.plural
    if language == "en":
        return english
    translations = _translations(language)
    if text.plural is None:
        found = translations.pgettext(text.context, text.singular)
    else:
        found = translations.npgettext(
            text.context, text.singular, text.plural, 1 if count is None else count
        )
    return found or english


def translate(contexts: tuple[str, ...], key: str, english: str, language: str) -> str:
    """A form's text by its stable key, trying each context (a form, then its base form);
    the form's own (English) text when no catalog has it."""
    if language == "en":
        return english
    translations = _translations(language)
    for context in contexts:
        found = translations.pgettext(context, key)
        if found != key:
            return found
    return english


# --- the texts of forms -----------------------------------------------------------------------

Message = tuple[str, str, KeyPath]  # stable key, English text, key path in the file


def profile_messages(document: Mapping[str, Any]) -> Iterator[Message]:
    """The translatable texts of a jurisdiction profile: its name and each rule's label, keyed
    ``name`` and ``rules.<id>.label`` (context ``jurisdiction.<code>``)."""
    header = document.get("profile", {})
    if isinstance(header.get("name"), str):
        yield "name", header["name"], ("profile", "name")
    for index, rule in enumerate(document.get("rules") or []):
        if isinstance(rule.get("label"), str):
            yield f"rules.{rule.get('id')}.label", rule["label"], ("rules", index, "label")


def form_messages(document: Mapping[str, Any]) -> Iterator[Message]:
    """Every translatable text of a form in its file shape (``Form.to_dict()`` or a parsed
    form file, extension files included), with its stable key and its key path."""
    header = document.get("form", {})
    for key in ("title", "description"):
        if isinstance(header.get(key), str):
            yield key, header[key], ("form", key)
    for list_id, body in (document.get("option_lists") or {}).items():
        for index, option in enumerate(body.get("options", [])):
            yield from _texts(
                option,
                f"option_lists.{list_id}.{option.get('value')}",
                ("option_lists", list_id, "options", index),
            )
    for s, section in enumerate(document.get("sections") or []):
        yield from _texts(section, str(section.get("id")), ("sections", s))
        for a, area in enumerate(section.get("areas") or []):
            prefix = f"{section.get('id')}.{area.get('id')}"
            yield from _texts(area, prefix, ("sections", s, "areas", a))
            yield from _questions(area, prefix, ("sections", s, "areas", a))
    for e, extension in enumerate(document.get("extend") or []):
        prefix = f"{extension.get('section')}.{extension.get('area')}"
        yield from _questions(extension, prefix, ("extend", e))


def _texts(node: Mapping[str, Any], key: str, path: KeyPath) -> Iterator[Message]:
    for name in ("label", "help"):
        if isinstance(node.get(name), str):
            yield f"{key}.{name}", node[name], (*path, name)


def _questions(node: Mapping[str, Any], prefix: str, path: KeyPath) -> Iterator[Message]:
    for index, question in enumerate(node.get("questions") or []):
        key, here = f"{prefix}.{question.get('id')}", (*path, "questions", index)
        yield from _texts(question, key, here)
        options = question.get("options")
        if isinstance(options, list):
            for number, option in enumerate(options):
                yield from _texts(
                    option, f"{key}.options.{option.get('value')}", (*here, "options", number)
                )
        yield from _questions(question, key, here)


def _contexts(form_id: str, base_id: str | None) -> tuple[str, ...]:
    return (form_id,) if base_id is None else (form_id, base_id)


def form_text(form_id: str, base_id: str | None, key: str, english: str, locale: str) -> str:
    """One text of a form by its stable key, in the language of ``locale``, as :func:`localize`
    gives it (without building the form: ``forms list`` shows titles only).

    >>> form_text("triangle.full", None, "title", "Full assessment", "sv")
    'Utredning'
    """
    return translate(_contexts(form_id, base_id), key, english, negotiate(locale))


_LOCALIZED: dict[tuple[int, str], Form] = {}


def localize(form: Form, locale: str) -> Form:
    """``form`` with its texts in the language of ``locale`` (those not translated stay as
    they are). Ids, options' values and every rule stay the same.

    >>> import kindbehoeften
    >>> full = kindbehoeften.load_form("triangle.full")
    >>> localize(full, "sv").section("child_needs").area("health").label
    'Hälsa'
    """
    from ._core.model import a_form  # the models are loaded: the caller holds a form

    form = a_form(form)
    language = negotiate(locale)
    if language == "en":
        return form
    cached = _LOCALIZED.get((id(form), language))
    if cached is not None and cached.key == form.key:
        return cached
    document = form.to_dict()
    contexts = _contexts(form.id, None if form.base is None else form.base.id)
    for key, english, path in list(form_messages(document)):
        node: Any = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = translate(contexts, key, english, language)
    localized = type(form).from_dict(document)
    if len(_LOCALIZED) > 64:
        _LOCALIZED.clear()
    _LOCALIZED[(id(form), language)] = localized
    return localized


# --- babel's extraction method for form files -------------------------------------------------


def extract_form_file(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Any,
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """The ``kindbehoeften_forms`` extraction method of ``pybabel extract``: every text of a
    form file (a whole form or an extension) as ``pgettext(form id, stable key)``, with the
    English text as the comment for translators; of a jurisdiction profile, its name and its
    rules' labels."""
    data = fileobj.read()
    text = data.decode("utf-8")
    document = tomllib.loads(text)
    if "profile" in document:  # a jurisdiction profile: its rules' labels
        context = f"jurisdiction.{document['profile'].get('jurisdiction', '')}"
        messages = profile_messages(document)
    else:
        context = str(document.get("form", {}).get("id", ""))
        messages = form_messages(document)
    index = line_index(text)
    for key, english, path in messages:
        line = line_of(index, path) or 1
        yield line, "pgettext", (context, key), [english]


# --- completeness of the shipped catalogs -------------------------------------------------------


# Contexts of the library's own messages and of the jurisdiction profiles; the rest are forms.
_LIBRARY_CONTEXTS = ("validation.", "cli.", "summary.", "demo.", "jurisdiction.")


class CatalogStatus(NamedTuple):
    """How complete one language's catalog is against the template (``kindbehoeften.pot``)."""

    locale: str
    total: int
    translated: int
    missing: tuple[tuple[str, str], ...]  # (context, id) with no translation
    fuzzy: tuple[tuple[str, str], ...]  # translated, but marked for review
    obsolete: tuple[tuple[str, str], ...]  # in the catalog, no longer in the template
    forms_missing: int  # of ``missing`` and ``fuzzy``: the texts of built-in forms

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; entries as ``context|id``."""
        return {
            "locale": self.locale,
            "total": self.total,
            "translated": self.translated,
            "missing": [f"{context}|{key}" for context, key in self.missing],
            "fuzzy": [f"{context}|{key}" for context, key in self.fuzzy],
            "obsolete": [f"{context}|{key}" for context, key in self.obsolete],
        }


def template(root: Path | None = None) -> Catalog:
    """The message template shipped with the library (made by ``pybabel extract``)."""
    from babel.messages.pofile import read_po

    path = _locales(root) / f"{DOMAIN}.pot"
    with path.open("rb") as stream:
        return read_po(stream, domain=DOMAIN)


def _entry(message: Any) -> tuple[str, str]:
    key = message.id[0] if isinstance(message.id, tuple) else message.id
    return str(message.context or ""), str(key)


def status(
    form_ids: frozenset[str] | None = None, root: Path | None = None
) -> tuple[CatalogStatus, ...]:
    """The completeness of each shipped language but the source language, English.

    ``form_ids`` are the contexts that count as texts of built-in forms (default: every
    context of no library message or jurisdiction profile); ``root``
    is a ``locales`` folder to check instead of the shipped one.
    """
    expected = {_entry(message) for message in template(root) if message.id}
    result = []
    for language in LOCALES[1:]:
        found = catalog(language, root)
        entries = {_entry(message): message for message in found if message.id}
        missing, fuzzy = [], []
        for entry in sorted(expected):
            message = entries.get(entry)
            strings = () if message is None else message.string
            texts = strings if isinstance(strings, tuple) else (strings,)
            if message is None or not all(texts):
                missing.append(entry)
            elif message.fuzzy:
                fuzzy.append(entry)
        obsolete = sorted(set(entries) - expected) + sorted(
            _entry(message) for message in found.obsolete.values()
        )

        def is_form(entry: tuple[str, str]) -> bool:
            context = entry[0]
            if form_ids is not None:
                return context in form_ids
            return not context.startswith(_LIBRARY_CONTEXTS)

        result.append(
            CatalogStatus(
                language,
                len(expected),
                len(expected) - len(missing) - len(fuzzy),
                tuple(missing),
                tuple(fuzzy),
                tuple(obsolete),
                sum(1 for entry in (*missing, *fuzzy) if is_form(entry)),
            )
        )
    return tuple(result)
