"""``lox24tui serve`` without a browser: what it serves, what it says, and what it never shows."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import httpx
import pytest

from lox24tui.commands.serve import exposure_warning, is_loopback, served_command
from lox24tui.web.access import redact
from tests.serving import Served, free_port, lox24tui_serve

TOKEN = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"
"""A well-formed token that opens nothing: what must never show."""


def test_the_served_command_is_this_python_running_lox24tui_read_only() -> None:
    lox24tui = [sys.executable, "-m", "lox24tui"]
    assert shlex.split(served_command(demo=False)) == [*lox24tui, "--read-only"]
    assert shlex.split(served_command(demo=True)) == [*lox24tui, "--read-only", "--demo"]
    assert shlex.split(served_command(demo=True, read_only=False)) == [*lox24tui, "--demo"]


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
    assert "0.0.0.0" in real and "Whoever has the address with its key" in real
    assert "your LOX24 account" in real and "plain HTTP" in real
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
    with lox24tui_serve(env=env, folder=tmp_path) as served, keyed(served) as browser:
        page = browser.get(served.open_url).text
        files = [browser.get(url).text for url in served_files(page, served.url)]
    assert "c0ffee" not in page and "7654321" not in page
    assert all("c0ffee" not in text for text in files)
    assert "c0ffee" not in served.output()
    assert "<title>lox24tui</title>" in page


def test_the_page_loads_nothing_from_outside(tmp_path: Path) -> None:
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path) as served, keyed(served) as b:
        page = b.get(served.open_url).text
    addresses = re.findall(r"""(?:src|href|url)\s*[=(]\s*["']?([a-z]+://[^"')\s]+)""", page)
    assert addresses, "the page links its script and styles"
    here = urlsplit(served.url).netloc
    assert all(urlsplit(address).netloc == here for address in addresses), addresses
    assert "googleapis" not in page


def test_the_page_connects_back_to_the_public_url(tmp_path: Path) -> None:
    """Served to other machines, the page must name an address they can reach, not 0.0.0.0."""
    public = "http://dashboard.example:8443/"
    with lox24tui_serve("--demo", "--public-url", public, env=os.environ, folder=tmp_path) as s:
        assert s.open_url.startswith("http://dashboard.example:8443/?key=")
        with keyed(s) as browser:  # the key opens it on loopback as well
            page = browser.get(s.url + "/?key=" + s.key).text
    assert 'data-session-websocket-url="ws://dashboard.example:8443/ws"' in page
    with lox24tui_serve(
        "--demo", "--public-url", "https://tls.example", env=os.environ, folder=tmp_path
    ) as s:
        first = httpx.get(s.url + "/?key=" + s.key, timeout=30)
    assert "Secure" in first.headers["set-cookie"]  # behind HTTPS, the key never goes in clear
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
    assert done.stderr == (
        f"lox24tui: 127.0.0.1:{port} cannot be used (another program is listening on it). "
        "Choose another with --port.\n"
    )
    assert "?key=" not in done.stdout and "Serving" not in done.stdout  # no address promised


def test_an_address_of_another_machine_is_a_clear_error() -> None:
    """192.0.2.1 is kept for documentation: no machine has it, so it cannot be listened on."""
    done = subprocess.run(
        [sys.executable, "-m", "lox24tui", "serve", "--demo", "--host", "192.0.2.1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.endswith(
        "lox24tui: 192.0.2.1:8000 cannot be used (the address is not one of this machine's). "
        "Choose another with --host.\n"
    )
    assert "?key=" not in done.stdout


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


# ---------------------------------------------------------------- the access key

UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}
"""The headers of a browser's websocket handshake."""

STARTED_WITHIN = 60.0
"""Seconds a tab's dashboard process may take to show in /proc after its websocket opens."""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Served]:
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path) as served:
        yield served


def test_without_the_key_nothing_is_served_and_nothing_starts(demo: Served) -> None:
    cookie = demo.stdout.name  # a name and value, but not the server's key
    asked = {
        "the page": httpx.get(demo.url + "/", timeout=30),
        "the websocket": httpx.get(demo.url + "/ws", headers=UPGRADE, timeout=30),
        "a wrong key": httpx.get(demo.url + "/?key=" + demo.key[:-1], timeout=30),
        "an empty key": httpx.get(demo.url + "/?key=", timeout=30),
        "a key not in ASCII": httpx.get(demo.url + "/?key=%C3%A9" + demo.key, timeout=30),
        "a wrong cookie": httpx.get(
            demo.url + "/ws",
            headers={**UPGRADE, "Cookie": f"lox24tui-key-{port_of(demo)}={cookie}"},
            timeout=30,
        ),
        "the key in another cookie": httpx.get(
            demo.url + "/ws", headers={**UPGRADE, "Cookie": f"key={demo.key}"}, timeout=30
        ),
        "a download": httpx.get(demo.url + "/download/x", timeout=30),
        "the scripts": httpx.get(demo.url + "/static/js/textual.js", timeout=30),
    }
    assert {what: answer.status_code for what, answer in asked.items()} == dict.fromkeys(asked, 403)
    assert "needs its access key" in asked["the page"].text
    assert asyncio.run(websocket_status(demo.url + "/ws", cookies={})) == 403
    assert demo.descendants() == []


def test_the_key_opens_the_page_and_the_cookie_keeps_it(demo: Served) -> None:
    first = httpx.get(demo.open_url + "&fontsize=20", timeout=30)
    assert first.status_code == 302
    assert first.headers["location"] == "/?fontsize=20"  # the key leaves the address bar
    set_cookie = first.headers["set-cookie"]
    assert set_cookie.startswith(f"lox24tui-key-{port_of(demo)}={demo.key};")
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    with keyed(demo) as browser:
        page = browser.get(demo.open_url)
        assert page.status_code == 200 and page.url == demo.url + "/"
        assert browser.get(demo.url + "/static/js/textual.js").status_code == 200
    assert demo.key not in page.text
    assert "read-only: cancel is off (start lox24tui serve with --allow-writes" in page.text


def test_with_the_key_the_websocket_starts_a_read_only_dashboard(demo: Served) -> None:
    """What the 403s above hold back: the cookie opens the websocket, and a dashboard starts.
    Its command line is read-only and has no key."""
    cookies = {f"lox24tui-key-{port_of(demo)}": demo.key}
    started = asyncio.run(websocket_status(demo.url + "/ws", cookies, until=demo.descendants))
    assert started == 101
    lines = [command_line(pid) for pid in demo.descendants()]
    dashboard = [line for line in lines if "lox24tui" in line]
    assert dashboard and all("--read-only" in line for line in dashboard), lines
    assert all(demo.key not in line for line in lines)
    assert "-m lox24tui --read-only --demo" in demo.output()


def test_the_key_is_printed_once_and_never_logged(tmp_path: Path) -> None:
    """Requests with the key, with the cookie, and a malformed one with the cookie (which
    textual-serve would log with a traceback of its raw bytes): the key stays where it was
    printed, once, and no traceback shows; the debug log (LOX24TUI_LOG) never has it."""
    debug_log = tmp_path / "debug.log"
    env = {**os.environ, "LOX24TUI_LOG": str(debug_log)}
    with lox24tui_serve("--demo", env=env, folder=tmp_path) as demo:
        output = output_after_requests(demo)
    assert output.count(demo.key) == 1, output
    assert "key=…" in output  # the access log shows the visit, without the key
    assert "Traceback" not in output and "locals" not in output
    assert debug_log.exists() and demo.key not in debug_log.read_text()


def output_after_requests(demo: Served) -> str:
    """What the server printed once it has logged a visit with the key, one with the cookie,
    a malformed request with the cookie, a wrong key and no key."""
    with keyed(demo) as browser:
        browser.get(demo.open_url)
    malformed(port_of(demo), f"Cookie: lox24tui-key-{port_of(demo)}={demo.key}")
    httpx.get(demo.url + "/?key=wrong-" + demo.key, timeout=30)
    httpx.get(demo.url + "/", timeout=30)  # its log line comes after the malformed one's
    deadline = time.monotonic() + 30
    while 'GET / HTTP/1.1" 403' not in " ".join(demo.output().split()):
        assert time.monotonic() < deadline, demo.output()
        time.sleep(0.05)  # poll: the condition is the log line, not the time
    return demo.output()


def test_allow_writes_serves_dashboards_that_may_cancel(tmp_path: Path) -> None:
    with (
        lox24tui_serve("--demo", "--allow-writes", env=os.environ, folder=tmp_path) as served,
        keyed(served) as browser,
    ):
        page = browser.get(served.open_url).text
    assert "writes allowed: cancel is on" in page
    assert "-m lox24tui --demo" in served.output()
    assert "--read-only" not in served.output()


def test_read_only_wins_over_allow_writes_and_says_so(tmp_path: Path) -> None:
    args = ("--demo", "--allow-writes")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    (tmp_path / "config" / "lox24tui").mkdir(parents=True)
    (tmp_path / "config" / "lox24tui" / "config.toml").write_text("read_only = true\n")
    with lox24tui_serve(*args, env=env, folder=tmp_path) as served, keyed(served) as browser:
        page = browser.get(served.open_url).text
    assert "read-only: cancel is off" in page
    assert "--allow-writes is ignored" in served.output()


@contextmanager
def keyed(served: Served) -> Iterator[httpx.Client]:
    """A client that keeps cookies, as a browser does (open ``served.open_url`` first)."""
    with httpx.Client(follow_redirects=True, timeout=30) as client:
        yield client


def port_of(served: Served) -> int:
    port = urlsplit(served.url).port
    assert port is not None
    return port


async def websocket_status(
    url: str, cookies: dict[str, str], until: Callable[[], list[int]] | None = None
) -> int:
    """The handshake's HTTP status; with ``until``, the socket stays open until it returns
    something (the dashboard process it started), then closes."""
    async with aiohttp.ClientSession(cookies=cookies) as session:
        try:
            async with session.ws_connect(url):
                deadline = time.monotonic() + STARTED_WITHIN
                while until is not None and not until():
                    assert time.monotonic() < deadline, "no dashboard process started"
                    await asyncio.sleep(0.05)  # poll: the condition is /proc, not the time
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def malformed(port: int, header: str) -> None:
    """A request aiohttp cannot parse, holding ``header``; read its 400 answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(f"GET / HTTP/1.1\r\nHost: x\r\n{header}\r\nBad Header\r\n\r\n".encode())
        assert connection.recv(100).startswith(b"HTTP/1.0 400")


def test_the_log_shows_where_a_key_was_but_not_the_key() -> None:
    assert redact('"GET /?key=s3cr3t HTTP/1.1" 302') == '"GET /?key=… HTTP/1.1" 302'
    assert redact("/ws?width=80&key=s3cr3t&height=24") == "/ws?width=80&key=…&height=24"
    assert redact("/?monkey=banana") == "/?monkey=banana"
