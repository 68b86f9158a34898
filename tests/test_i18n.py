"""Six languages: the catalogs, their completeness and terms, locale negotiation and fallback,
localised forms and messages, and the extraction method for form files."""

from __future__ import annotations

import io
import json
import re
import shutil
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import kindbehoeften
from clirun import run as run_cli
from kindbehoeften._i18n import (
    LOCALES,
    catalog,
    form_messages,
    localize,
    negotiate,
    pgettext,
    render,
    status,
    template,
)
from kindbehoeften._validation import messages as _validation
from kindbehoeften.cli import i18n as cli_i18n
from kindbehoeften.errors import UnknownLocaleError

ROOT = Path(__file__).resolve().parents[1]
LOCALES_DIR = ROOT / "src" / "kindbehoeften" / "locales"
TRANSLATED = LOCALES[1:]
BUILT_IN = ("triangle.preliminary", "triangle.full", "triangle.plan", "triangle.followup")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def strings(message: Any) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids(message: Any) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


# --- the catalogs -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LOCALES)
def test_each_catalog_parses_and_passes_babels_checkers(language: str) -> None:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "kindbehoeften.po"
    with path.open("rb") as stream:
        parsed = read_po(stream, locale=language)
    assert [] == [(message.id, error) for message in parsed for error in message.check(parsed)]
    assert language == str(parsed.locale)


@pytest.mark.parametrize("language", LOCALES)
def test_each_shipped_compiled_catalog_is_what_pybabel_compile_makes_of_its_po(
    language: str,
) -> None:
    """The library translates from the ``.mo`` files; after a change to a ``.po``, run
    ``pybabel compile -d src/kindbehoeften/locales -D kindbehoeften`` (docs/translating.md)."""
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    with (folder / "kindbehoeften.po").open("rb") as stream:
        parsed = read_po(stream, locale=language, domain="kindbehoeften")
    compiled = io.BytesIO()
    write_mo(compiled, parsed, use_fuzzy=False)  # as pybabel compile does without --use-fuzzy
    assert compiled.getvalue() == (folder / "kindbehoeften.mo").read_bytes()


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_of_each_translation_match_its_english(language: str) -> None:
    mismatched = [
        (message.context, message.id)
        for message in catalog(language)
        if message.id and any(strings(message))
        for text in strings(message)
        if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(ids(message)[0]))
    ]
    assert [] == mismatched


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    (state,) = [state for state in status() if state.locale == language]
    assert ((), (), ()) == (state.missing, state.fuzzy, state.obsolete)
    assert state.total == state.translated


def test_every_text_of_every_built_in_form_is_in_the_template() -> None:
    expected = {
        (form.id, key)
        for form in (kindbehoeften.load_form(form_id) for form_id in BUILT_IN)
        for key, _, _ in form_messages(form.to_dict())
    }
    found = {(message.context, message.id) for message in template() if message.id}
    assert set() == expected - found
    assert 400 < len(expected)


def test_the_template_is_what_pybabel_extract_makes_of_the_sources() -> None:
    """A changed form or message without a new template fails here: run the extract command
    of docs/translating.md."""
    method_map = [
        ("**/forms/examples/**", "ignore"),
        ("**.py", "python"),
        ("forms/*.toml", "kindbehoeften._i18n:extract_form_file"),
        ("jurisdictions/*.toml", "kindbehoeften._i18n:extract_form_file"),
    ]
    extracted = {
        (context, message[0] if isinstance(message, tuple) else message)
        for _, _, message, _, context in extract_from_dir(
            str(ROOT / "src" / "kindbehoeften"),
            method_map,
            # as pybabel extract's --ignore-dirs default: the private packages (_core, ...) count
            directory_filter=lambda path: not Path(path).name.startswith("."),
        )
    }
    shipped = {(message.context, ids(message)[0]) for message in template() if message.id}
    assert extracted == shipped


# --- real translations with each country's terms ------------------------------------------

TERMS = {
    "nl": ["melding", "vraagverheldering", "onderzoek", "ondersteuningsplan"],
    "sv": ["orosanmälan", "förhandsbedömning", "utredning", "skyddsbedömning"],
    "da": ["underretning", "børnefaglig undersøgelse", "barnets plan"],
    "nb": ["bekymringsmelding", "undersøkelse", "tiltaksplan"],
    "fi": ["lastensuojeluilmoitus", "palvelutarpeen arviointi", "asiakassuunnitelma"],
}


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_use_the_countrys_own_terms(language: str) -> None:
    text = " ".join(" ".join(strings(message)) for message in catalog(language)).lower()
    assert [] == [term for term in TERMS[language] if term not in text]


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_is_copied_into_other_catalogs(language: str) -> None:
    """A text may equal its English only when it is a word both languages share."""
    english = {
        (message.context, message.id): " ".join(message.auto_comments) or ids(message)[0]
        for message in template()
        if message.id
    }
    same = sorted(
        strings(message)[0]
        for message in catalog(language)
        if message.id and strings(message)[0] == english.get((message.context, message.id))
    )
    assert len(same) <= 8, same


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "Förhandsbedömning"),
        ("nl", "Vraagverheldering"),
        ("da", "Indledende vurdering"),
        ("nb", "Gjennomgang av bekymringsmelding"),
        ("fi", "Alkuarviointi"),
        ("en", "Preliminary assessment"),
    ],
)
def test_the_preliminary_assessment_has_its_national_name(language: str, expected: str) -> None:
    assert expected == localize(kindbehoeften.load_form("triangle.preliminary"), language).title


# --- negotiation and fallback --------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nb_NO", "nb"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("sv_FI", "sv"),
        ("nl-BE", "nl"),
        ("fi", "fi"),
        ("EN_gb", "en"),
        (None, "en"),
    ],
)
def test_a_locale_is_negotiated_to_a_shipped_language(locale: str | None, expected: str) -> None:
    assert expected == negotiate(locale)


@pytest.mark.parametrize("locale", ["de", "xx", "", "nn", "sv_XX_YY_ZZ", "../etc/passwd"])
def test_an_unknown_locale_raises_unknown_locale_error(locale: str) -> None:
    with pytest.raises(UnknownLocaleError) as raised:
        negotiate(locale)
    assert isinstance(raised.value, LookupError)
    assert isinstance(raised.value, kindbehoeften.KindbehoeftenError)
    assert "available: en, nl, sv, da, nb, fi" in str(raised.value)


def test_validate_with_an_unknown_locale_raises() -> None:
    with pytest.raises(UnknownLocaleError):
        kindbehoeften.validate(b"{}", locale="tlh")


def test_a_text_missing_from_a_catalog_falls_back_to_english() -> None:
    assert "Not translated {x}" == render(pgettext("nowhere", "Not translated {{x}}"), "nb_NO")


AUTHOR_FORM = """\
[form]
id = "municipality.visit"
version = "1.0.0"
stage = "full"
title = "Home visit"
description = "A municipality's own form."

[option_lists.seen]
options = [
  { value = "yes", label = "Seen", help = "In person" },
  { value = "no", label = "Not seen" },
]

[[sections]]
id = "child_needs"
label = "The child"
help = "About the child"

[[sections.areas]]
id = "health"
label = "Health at home"

[[sections.areas.questions]]
id = "seen"
type = "choice"
label = "Was the child seen?"
options = "seen"

[[sections.areas.questions]]
id = "visits"
type = "group"
label = "Visits"
help = "One row per visit"

[[sections.areas.questions.questions]]
id = "kind"
type = "choice"
label = "Kind of visit"
options = [{ value = "planned", label = "Planned" }, { value = "unplanned", label = "Unplanned" }]
"""


def test_an_authors_form_without_translations_keeps_its_own_texts(tmp_path: Path) -> None:
    path = tmp_path / "visit.toml"
    path.write_text(AUTHOR_FORM, encoding="utf-8")
    form = kindbehoeften.load_form(path)
    assert form == localize(form, "nb_NO")


def test_an_extension_shows_its_base_forms_translations() -> None:
    extension = kindbehoeften.load_form(
        ROOT / "src" / "kindbehoeften" / "forms" / "examples" / "nl-school-attendance.toml"
    )
    dutch = localize(extension, "nl").section("child_needs")
    assert "Gezondheid" == dutch.area("health").label
    # its own questions have no Dutch catalog entry: they stay as the author wrote them
    education = dutch.area("education")
    assert extension.section("child_needs").area("education").questions[-1].label == (
        education.questions[-1].label
    )


# --- localised output ---------------------------------------------------------------------------


def test_forms_show_in_swedish_shows_the_swedish_labels() -> None:
    code, out, _ = run("forms", "show", "triangle.full", "--locale", "sv")
    assert 0 == code
    for label in ("Utredning", "Barnets behov", "Hälsa", "Känslomässig tillgänglighet"):
        assert label in out


def test_the_locale_variable_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINDBEHOEFTEN_LOCALE", "fi_FI")
    code, out, _ = run("forms", "show", "triangle.full")
    assert (0, True) == (code, "Palvelutarpeen arviointi" in out)
    code, out, _ = run("forms", "show", "triangle.full", "--locale", "en")
    assert (0, True) == (code, "Full assessment" in out)


def test_an_unknown_locale_variable_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINDBEHOEFTEN_LOCALE", "klingon")
    code, out, err = run("forms", "list")
    assert (2, "") == (code, out)
    assert "unknown locale 'klingon'" in err


def test_validate_in_swedish_prints_swedish_messages(tmp_path: Path) -> None:
    document = json.loads((ROOT / "examples" / "triangle.plan.invalid.json").read_text("utf-8"))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run("validate", str(path), "--locale", "sv", "--format", "json")
    english = kindbehoeften.validate(document).issues
    swedish = json.loads(out)["results"][0]["issues"]
    assert 1 == code
    assert [(issue.pointer, issue.code) for issue in english] == [
        (issue["pointer"], issue["code"]) for issue in swedish
    ]
    messages = {issue["code"]: issue["message"] for issue in swedish}
    assert '"Vem som ansvarar" måste besvaras.' == messages["required"]
    assert all(
        theirs["message"] != ours.message for ours, theirs in zip(english, swedish, strict=True)
    )


PLACEHOLDER_NAMES = re.compile(r"\{(\w+)")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_validation_message_is_translated_with_its_placeholders(language: str) -> None:
    for message_id, text in _validation._MESSAGES.items():
        params = {name: f"<{name}>" for name in PLACEHOLDER_NAMES.findall(text.singular)}
        for count in (1, 2):
            english = render(text, "en", count, **params)
            translated = render(text, language, count, **params)
            assert english != translated, (message_id, count)
            assert sorted(re.findall(r"<\w+>", english)) == sorted(
                re.findall(r"<\w+>", translated)
            ), (message_id, count)


def test_the_label_in_a_message_is_the_localised_label() -> None:
    report = kindbehoeften.validate(
        {
            "form": "triangle.full",
            "form_version": "1.0.0",
            "status": "in_progress",
            "answers": {"child_needs": {"health": {"assessment": "bad"}}},
        },
        locale="da",
    )
    (issue,) = report.issues
    label = localize(kindbehoeften.load_form("triangle.full"), "da")
    expected = label.section("child_needs").area("health").question("assessment").label
    assert f'"{expected}"' in issue.message
    assert {"label"} <= set(issue.params)


# --- the extraction method ---------------------------------------------------------------------


def test_the_extraction_method_is_registered_for_pybabel() -> None:
    names = {entry.name: entry.value for entry in entry_points(group="babel.extractors")}
    assert "kindbehoeften._i18n:extract_form_file" == names["kindbehoeften_forms"]


def test_the_extractor_finds_every_text_of_an_authors_new_form(tmp_path: Path) -> None:
    path = tmp_path / "visit.toml"
    path.write_text(AUTHOR_FORM, encoding="utf-8")
    form = kindbehoeften.load_form(path)
    with path.open("rb") as stream:
        found = list(extract("kindbehoeften_forms", stream))
    texts = {comments[0] for _, _, comments, _ in found}
    expected = {form.title, form.description}
    for section in form.sections:
        expected |= {section.label, section.help or ""}
        for area in section.areas:
            expected.add(area.label)
    for _, question in form.questions():
        expected |= {question.label, question.help or ""}
        expected |= {option.label for option in form.options(question)}
        expected |= {option.help for option in form.options(question) if option.help}
    assert expected - {""} == texts
    assert {"municipality.visit"} == {context for _, _, _, context in found}
    lines = AUTHOR_FORM.splitlines()
    for line, key, (english,), _ in found:
        assert english in lines[line - 1] or english in "\n".join(lines[line - 1 : line + 2]), key


def test_pybabel_extract_of_an_authors_folder_writes_a_template(tmp_path: Path) -> None:
    """The documented workflow, run through babel's own front end."""
    from babel.messages.frontend import CommandLineInterface

    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "visit.toml").write_text(AUTHOR_FORM, encoding="utf-8")
    mapping = tmp_path / "babel.cfg"
    mapping.write_text("[kindbehoeften_forms: **.toml]\n", encoding="utf-8")
    pot = tmp_path / "visit.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(mapping), "-o", str(pot), str(forms)]
    )
    with pot.open("rb") as stream:
        extracted = read_po(stream)
    keys = {message.id for message in extracted if message.id}
    assert "child_needs.health.visits.kind.options.unplanned.label" in keys
    assert "option_lists.seen.yes.help" in keys


# --- i18n status ------------------------------------------------------------------------------


def test_i18n_status_shows_every_locale_complete() -> None:
    code, out, _ = run("i18n", "status", "--format", "json")
    document = json.loads(out)
    assert 0 == code
    assert list(TRANSLATED) == [entry["locale"] for entry in document["locales"]]
    assert all(entry["translated"] == entry["total"] for entry in document["locales"])


def test_i18n_status_counts_missing_fuzzy_and_obsolete(tmp_path: Path) -> None:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, root)
    path = root / "sv" / "LC_MESSAGES" / "kindbehoeften.po"
    with path.open("rb") as stream:
        swedish = read_po(stream, locale="sv")
    swedish.get("child_needs.health.label", "triangle.full").string = ""
    swedish.get("title", "triangle.plan").flags.add("fuzzy")
    swedish.add("no.longer.here", "Borta", context="triangle.full")
    buffer = io.BytesIO()
    write_po(buffer, swedish, width=0)
    path.write_bytes(buffer.getvalue())
    (state,) = [state for state in status(root=root) if state.locale == "sv"]
    assert (("triangle.full", "child_needs.health.label"),) == state.missing
    assert (("triangle.plan", "title"),) == state.fuzzy
    assert (("triangle.full", "no.longer.here"),) == state.obsolete
    assert 2 == state.forms_missing
    assert state.total - 2 == state.translated


def test_i18n_status_exits_1_when_a_built_in_form_text_is_untranslated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, root)
    path = root / "fi" / "LC_MESSAGES" / "kindbehoeften.po"
    text = path.read_text("utf-8")
    path.write_text(text.replace('msgstr "Terveys"', 'msgstr ""', 1), encoding="utf-8")
    monkeypatch.setattr(cli_i18n, "catalog_status", lambda form_ids: status(form_ids, root))
    code, out, _ = run("i18n", "status")
    assert 1 == code
    assert "fi: 1 text of a built-in form is not translated" in out


def run(*argv: str) -> tuple[int, str, str]:
    return run_cli(*argv, width=200)
