"""The public surface is what ``__all__`` says, no more and no less."""

import kindbehoeften


def test_all_lists_every_public_name_of_the_package() -> None:
    """A public name not in ``__all__`` (or the reverse) is a drift of the public contract."""
    public = {
        name
        for name, value in vars(kindbehoeften).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("kindbehoeften")
    }
    modules = {"cli", "errors"}  # submodules that become attributes once imported
    expected = sorted(public - modules)
    assert expected == sorted(set(kindbehoeften.__all__) - {"__version__", "Condition", "CODES"})


def test_all_has_no_repeats_and_every_name_exists() -> None:
    """(ruff's RUF022 keeps ``__all__`` sorted, constants first.)"""
    expected = len(set(kindbehoeften.__all__))
    assert expected == len(kindbehoeften.__all__)
    assert all(hasattr(kindbehoeften, name) for name in kindbehoeften.__all__)


def test_every_public_name_has_a_docstring() -> None:
    undocumented = [
        name
        for name in kindbehoeften.__all__
        if name not in {"__version__", "Condition", "CODES"}
        and not getattr(kindbehoeften, name).__doc__
    ]
    assert [] == undocumented


def test_exceptions_inherit_the_fitting_builtin() -> None:
    assert issubclass(kindbehoeften.FormDefinitionError, ValueError)
    assert issubclass(kindbehoeften.UnknownFormError, LookupError)
    for error in (kindbehoeften.FormDefinitionError, kindbehoeften.UnknownFormError):
        assert issubclass(error, kindbehoeften.KindbehoeftenError)
