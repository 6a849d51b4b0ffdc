"""Shell completion as a shell uses it: the generated scripts, and the answers ``lox24tui`` gives
them for a half-typed command line, read from an isolated watch list."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from lox24tui.fake import FakeLox24
from lox24tui.session.config import Locations
from lox24tui.state.store import WatchList
from tests.cli_process import CLI_TIMEOUT, cli_env, lox24tui

FRIDAY = "da0fa78c-4699-11ea-a637-96000028b339"
REMINDERS = "73f43a80-ca52-11f0-8001-96000028b339"
SHOP_BULK = "0e03b500-ca4a-11f0-8002-96000028b339"
BIN = Path(sys.executable).parent


@pytest.fixture
def watched() -> Path:
    """A saved watch list of two labelled bulks, where completion looks for it."""
    watchlist = WatchList(Locations.default().watchlist_file)
    watchlist.add(FRIDAY, "Black Friday")
    watchlist.add(REMINDERS, "Reminders")
    return watchlist.path


def complete(line: str, *, shell: str = "bash", url: str | None = None) -> list[str]:
    """What ``lox24tui`` answers a shell asking to complete ``line`` (argcomplete's protocol;
    for fish, each answer is ``value<TAB>description``)."""
    env = cli_env(url, None) | {
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    if shell != "bash":  # as the zsh and fish scripts call it
        env["_ARGCOMPLETE_SUPPRESS_SPACE"] = "1"
    if shell == "fish":
        env["_ARGCOMPLETE_DFS"] = "\t"
    with tempfile.TemporaryDirectory() as folder:
        answers = Path(folder) / "answers"
        env["_ARGCOMPLETE_STDOUT_FILENAME"] = str(answers)
        done = subprocess.run(
            [sys.executable, "-m", "lox24tui"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        text = answers.read_text(encoding="utf-8") if answers.exists() else ""
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [answer.rstrip(" ") for answer in text.split("\013") if answer]  # " ": a unique match


def test_bash_script_parses_and_completes_watched_ids_in_bash(watched: Path) -> None:
    script = lox24tui("completion", "bash")
    assert script.returncode == 0, script.stderr
    parsed = subprocess.run(["bash", "-n"], input=script.stdout, text=True, check=False)
    assert parsed.returncode == 0
    line = "lox24tui watch remove 73"
    session = f"""
        source /dev/stdin
        COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=({line}); COMP_CWORD=3
        _python_argcomplete lox24tui 73 remove
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    env = cli_env(None, None) | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", session],
        input=script.stdout,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.stdout.split() == [REMINDERS], done.stderr


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_register_lox24tui(shell: str) -> None:
    script = lox24tui("completion", shell)
    assert script.returncode == 0, script.stderr
    assert "lox24tui" in script.stdout and "_ARGCOMPLETE" in script.stdout
    if shutil.which(shell):  # not installed on CI; where it is, it must parse the script
        checked = subprocess.run([shell, "-n"], input=script.stdout, text=True, check=False)
        assert checked.returncode == 0


def test_subcommands_and_options_complete() -> None:
    assert {"status", "bulks", "watch", "export", "completion"} <= set(complete("lox24tui "))
    assert "--concurrency" in complete("lox24tui status --c")
    assert set(complete("lox24tui watch ")) >= {"add", "remove", "list", "restore"}


def test_status_offers_watched_ids_with_their_labels(watched: Path) -> None:
    fish = complete("lox24tui status ", shell="fish")
    assert f"{FRIDAY}\tBlack Friday" in fish and f"{REMINDERS}\tReminders" in fish
    assert complete("lox24tui status da") == [FRIDAY]
    zsh = complete("lox24tui status da", shell="zsh")
    assert zsh == [f"{FRIDAY}:Black Friday"]


def test_an_id_already_typed_is_not_offered_again(watched: Path) -> None:
    offered = complete(f"lox24tui watch remove {FRIDAY} ")
    assert REMINDERS in offered and FRIDAY not in offered


def test_a_damaged_watch_list_completes_no_id_and_stays_as_it_is(watched: Path) -> None:
    watched.write_text('{"bulks": [', encoding="utf-8")
    assert not [a for a in complete("lox24tui status ") if not a.startswith("-")]
    assert watched.read_text(encoding="utf-8") == '{"bulks": ['


def test_completing_sends_no_request(watched: Path, live_fake: FakeLox24, live_url: str) -> None:
    assert FRIDAY in complete("lox24tui status ", url=live_url)
    assert complete("lox24tui watch remove ", url=live_url)
    assert live_fake.requests() == []


def test_after_account_the_ids_of_that_account_s_list_complete(watched: Path) -> None:
    shop = dataclasses.replace(Locations.default(), account="shop").watchlist_file
    WatchList(shop).add_many([(SHOP_BULK, "Shop sale")])
    ours = complete("lox24tui --account shop status ")
    assert SHOP_BULK in ours and FRIDAY not in ours and REMINDERS not in ours
    assert SHOP_BULK not in complete("lox24tui status ")  # the default account's list
