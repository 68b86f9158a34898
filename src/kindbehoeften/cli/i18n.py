"""``kindbehoeften i18n status``: how complete each language's translations are."""

from __future__ import annotations

from rich.table import Table

from .._forms.catalog import forms
from .._i18n import npgettext, pgettext
from .._i18n import status as catalog_status
from .base import EXIT_INVALID, EXIT_OK, Commands, Context, safe

__all__ = ["add_commands", "run_status"]

_LANGUAGES = pgettext("cli.i18n.title", "Translations")
_I18N_COLUMNS = {
    "locale": pgettext("cli.column.locale", "locale"),
    "translated": pgettext("cli.column.translated", "translated"),
    "missing": pgettext("cli.column.missing", "missing"),
    "fuzzy": pgettext("cli.column.fuzzy", "fuzzy"),
    "obsolete": pgettext("cli.column.obsolete", "obsolete"),
}
_UNTRANSLATED = npgettext(
    "cli.i18n.untranslated",
    "{language}: {count} text of a built-in form is not translated",
    "{language}: {count} texts of built-in forms are not translated",
)


def add_commands(commands: Commands) -> None:
    """Register ``i18n status``."""
    actions = commands.group("i18n", "the translations' state", "The state of the translations.")
    status = actions.command(
        "status",
        "completeness of each language; exit 1 when a built-in form text is not translated",
        run_status,
    )
    status.add_argument("--format", choices=("text", "json"), default="text")


def run_status(context: Context) -> int:
    """A table (or JSON) of each language's state; exit 1 when a built-in form text is not
    translated."""
    states = catalog_status(frozenset(form.id for form in forms(())))
    incomplete = [state for state in states if state.forms_missing]
    if context.args.format == "json":
        context.json({"source": "en", "locales": [state.to_dict() for state in states]})
    else:
        from babel.numbers import format_percent  # imported when it is needed, as in _i18n

        table = Table(title=context.text(_LANGUAGES), title_justify="left")
        table.add_column(context.text(_I18N_COLUMNS["locale"]), no_wrap=True)
        for name in ("translated", "missing", "fuzzy", "obsolete"):
            table.add_column(context.text(_I18N_COLUMNS[name]), justify="right")
        for state in states:
            table.add_row(
                safe(state.locale),
                format_percent(state.translated / state.total, locale=context.args.locale)
                + f" ({state.translated}/{state.total})",
                str(len(state.missing)),
                str(len(state.fuzzy)),
                str(len(state.obsolete)),
            )
        context.out.print(table)
        for state in incomplete:
            line = context.text(_UNTRANSLATED, language=state.locale, count=state.forms_missing)
            context.out.print(f"[red]{safe(line)}[/]", soft_wrap=True)
    return EXIT_INVALID if incomplete else EXIT_OK
