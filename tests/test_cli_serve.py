"""`kindbehoeften serve`: what stops it before it listens (exit 2, with the reason)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import child_environment, run, run_module


@pytest.fixture
def broken_tokens(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.toml"
    path.write_text('[[tokens]]\nname = "a"\nsha256 = "abc"\nscopes = ["admin"]\n')
    return path


def test_a_broken_tokens_file_stops_serve_with_exit_2(broken_tokens: Path) -> None:
    code, out, err = run("serve", "--port", "0", "--tokens", str(broken_tokens))
    assert (2, "") == (code, out)
    assert err.startswith(f"kindbehoeften: error: tokens file {broken_tokens}: ")
    assert "tokens[0].sha256 must be 64 hex digits" in err
    assert "unknown scope 'admin'" in err
    assert "listening" not in err


def test_a_missing_tokens_file_stops_serve_before_it_listens(tmp_path: Path) -> None:
    """In a process of its own, as an operator starts it: exit 2 and no address logged."""
    result = run_module("serve", "--port", "0", "--tokens", str(tmp_path / "none.toml"))
    assert 2 == result.returncode
    assert "no such file" in result.stderr
    assert "listening" not in result.stderr


def test_an_address_in_use_stops_serve_with_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", "--port", str(port))
    assert 2 == code
    assert f"cannot listen on 127.0.0.1 port {port}: " in err


def test_store_without_tokens_is_a_usage_error(tmp_path: Path) -> None:
    """Without tokens there are no case endpoints: a store given would be ignored."""
    code, _, err = run("serve", "--port", "0", "--store", f"sqlite:///{tmp_path}/cases.db")
    assert 2 == code
    assert "--store needs --tokens" in err
    assert not (tmp_path / "cases.db").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://db/cases", "unknown kind of store URL (scheme 'mysql')"),
        ("sqlite://", "names no SQLite file"),
        ("postgresql://case:s3cret-pw@127.0.0.1:1/kb", "--store postgresql://case:***@127.0.0.1"),
        ("sqlite:////no/such/folder/cases.db", "cannot create the SQLite store"),
        ("postgresql://case:s3cret-pw@[::1/kb", "is not a PostgreSQL URL that libpq reads"),
        ("postgresql://case:s3cret-pw%zz@db/kb", "is not a PostgreSQL URL that libpq reads"),
        ("postgresql://case@db/kb?password=s3cret-pw%zz", "invalid percent-encoded token"),
        ("postgresql://case@db/kb?sslpassword=s3cret-pw&x", "is not a PostgreSQL URL"),
    ],
    ids=[
        "scheme",
        "no-file",
        "unreachable-with-password",
        "no-folder",
        "malformed-with-password",
        "password-with-a-bad-escape",
        "password-parameter-with-a-bad-escape",
        "malformed-after-an-ssl-password",
    ],
)
def test_a_store_that_cannot_be_opened_stops_serve_before_it_listens(
    broken_tokens: Path, tmp_path: Path, url: str, expected: str
) -> None:
    """Exit 2 with one line naming the store (never its password), in a process of its own."""
    from service import tokens_file

    tokens = tokens_file(tmp_path / "good.toml")
    result = run_module("serve", "--port", "0", "--tokens", str(tokens), "--store", url)
    assert 2 == result.returncode
    assert expected in result.stderr
    assert "s3cret-pw" not in result.stderr
    assert 1 == len(result.stderr.strip().splitlines()), result.stderr
    assert "listening" not in result.stderr


def test_with_tokens_the_store_comes_from_the_environment(tmp_path: Path) -> None:
    from service import tokens_file

    tokens = tokens_file(tmp_path / "tokens.toml")
    environment = {
        **child_environment(),
        "KINDBEHOEFTEN_STORE": "postgresql://u:pw-9@127.0.0.1:1/x",
    }
    result = subprocess.run(
        [sys.executable, "-m", "kindbehoeften", "serve", "--port", "0", "--tokens", str(tokens)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert 2 == result.returncode
    assert "$KINDBEHOEFTEN_STORE postgresql://u:***@127.0.0.1:1/x: " in result.stderr
    assert "pw-9" not in result.stderr


@pytest.mark.parametrize("port", ["65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    code, _, err = run("serve", "--port", port)
    assert 2 == code
    assert "--port" in err


def test_without_the_service_extra_serve_says_what_to_install() -> None:
    script = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"  # as if the extra were not installed
        "from kindbehoeften.cli import main\n"
        "sys.exit(main(['serve', '--port', '0']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=child_environment(),
        timeout=120,
        check=False,
    )
    assert 2 == result.returncode
    assert "pip install 'kindbehoeften[service]'" in result.stderr


def test_the_help_lists_serve_and_import() -> None:
    code, out, _ = run("--help")
    assert 0 == code
    assert "serve" in out
    assert "import" in out


def test_the_default_store_of_serve_is_the_store_s_own() -> None:
    """serve spells the store's defaults out, to keep the store's imports out of start-up."""
    from kindbehoeften._store import DEFAULT_URL, ENVIRONMENT
    from kindbehoeften.cli import serve

    assert (ENVIRONMENT, DEFAULT_URL) == (serve._ENVIRONMENT, serve._DEFAULT_URL)
