"""``lox24tui serve`` without a browser: what it serves, what it says, and what it never shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from lox24tui.commands.serve import exposure_warning, is_loopback, served_command
from tests.serving import free_port, lox24tui_serve

TOKEN = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"
"""A well-formed token that opens nothing: what must never show."""


def test_the_served_command_is_this_python_running_lox24tui() -> None:
    assert shlex.split(served_command(demo=False)) == [sys.executable, "-m", "lox24tui"]
    assert shlex.split(served_command(demo=True)) == [sys.executable, "-m", "lox24tui", "--demo"]


def test_the_served_command_runs_the_dashboard() -> None:
    """`python -m lox24tui` is the CLI, so the served line opens the dashboard it names."""
    line = served_command(demo=True).replace(" --demo", " --version")
    done = subprocess.run(line, shell=True, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("lox24tui ")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("my-laptop.example", False),
    ],
)
def test_only_loopback_counts_as_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_warning_says_who_gets_what() -> None:
    real = exposure_warning("0.0.0.0", demo=False)
    assert "0.0.0.0" in real and "Anyone who can reach this port" in real
    assert "your LOX24 account" in real
    assert "simulated demo account" in exposure_warning("0.0.0.0", demo=True)


def test_without_textual_serve_it_says_how_to_install_it() -> None:
    """A None in sys.modules makes `import textual_serve` fail as if it were not installed."""
    program = textwrap.dedent(
        """
        import sys
        sys.modules["textual_serve"] = None
        from lox24tui.cli import main
        raise SystemExit(main(["serve", "--demo"]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "pip install 'lox24tui[serve]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_token_is_in_neither_page_address_nor_output(tmp_path: Path) -> None:
    env = {**os.environ, "LOX24_TOKEN": TOKEN}
    with lox24tui_serve(env=env, folder=tmp_path) as served:
        page = httpx.get(served.url + "/", timeout=30).text
        files = [httpx.get(url, timeout=30).text for url in served_files(page, served.url)]
    assert "c0ffee" not in page and "7654321" not in page
    assert all("c0ffee" not in text for text in files)
    assert "c0ffee" not in served.output()
    assert "<title>lox24tui</title>" in page


def test_the_page_loads_nothing_from_outside(tmp_path: Path) -> None:
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path) as served:
        page = httpx.get(served.url + "/", timeout=30).text
    addresses = re.findall(r"""(?:src|href|url)\s*[=(]\s*["']?([a-z]+://[^"')\s]+)""", page)
    assert addresses, "the page links its script and styles"
    here = urlsplit(served.url).netloc
    assert all(urlsplit(address).netloc == here for address in addresses), addresses
    assert "googleapis" not in page


def test_the_page_connects_back_to_the_public_url(tmp_path: Path) -> None:
    """Served to other machines, the page must name an address they can reach, not 0.0.0.0."""
    public = "http://dashboard.example:8443/"
    with lox24tui_serve("--demo", "--public-url", public, env=os.environ, folder=tmp_path) as s:
        page = httpx.get(s.url + "/", timeout=30).text
    assert 'data-session-websocket-url="ws://dashboard.example:8443/ws"' in page
    assert "http://dashboard.example:8443/static/js/textual.js" in page


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    port = free_port()
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path, port=port):
        done = subprocess.run(
            [sys.executable, "-m", "lox24tui", "serve", "--demo", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and str(port) in done.stderr


def test_another_host_is_warned_about(tmp_path: Path) -> None:
    """Bound to every address, it warns before serving (the port is taken, so it then stops)."""
    port = free_port()
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path, port=port):
        done = subprocess.run(
            [sys.executable, "-m", "lox24tui", "serve", "--host", "0.0.0.0", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert "warning: serving on 0.0.0.0" in done.stderr
    assert "your LOX24 account" in done.stderr


def served_files(page: str, base: str) -> list[str]:
    """The script, style, font and image addresses the page names on its own server."""
    return sorted(set(re.findall(re.escape(base) + r"""/static/[^"')\s]+""", page)))
