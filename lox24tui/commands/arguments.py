"""What every command's parser shares: the help layout, the exit-status lines common to all
commands that send requests, the argument types, and the one way a handler says the command
line was wrong."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]


class Command(Protocol):
    """A command module: it declares its parser and handles what was parsed
    (:data:`lox24tui.cli.COMMANDS` lists them)."""

    def declare(self, commands: Subcommands) -> None:
        """Add the command's parser (:func:`add_command`, given ``run``)."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the command; the exit status."""


class UsageError(Exception):
    """Arguments that parse but do not go together; said like argparse's own errors (exit 2)."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Prose wrapped to the terminal (argparse reads COLUMNS), tables and examples as written.

    A paragraph is prose when none of its lines is indented or lines up columns with two
    spaces; exit-status tables and example blocks are, so they keep their layout."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if lines and not any(line.startswith(" ") or "  " in line for line in lines):
                paragraphs.append(
                    textwrap.fill(
                        " ".join(lines), width, initial_indent=indent, subsequent_indent=indent
                    )
                )
            else:
                paragraphs.append("\n".join(indent + line for line in lines))
        return "\n\n".join(paragraphs) + ("\n" if text.endswith("\n") else "")


STOPPED = """\
  2  requests were stopped (a refused token, an inactive account, a rate limit,
     protecting your IP), LOX24 was unreachable (no request answered, for
     network errors or LOX24 system errors), or lox24tui could not start (no
     token, a bad config file)"""
"""Exit status 2 of every command that sends requests."""


def epilog(examples: tuple[str, ...], rest: str = "") -> str:
    """A command's examples, then ``rest`` (its exit statuses)."""
    lines = "\n".join(f"  {line}" for line in examples)
    return f"example{'s' if len(examples) > 1 else ''}:\n{lines}\n" + (f"\n{rest}" if rest else "")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be a number from 0 to 1")
    return value


def add_command(
    commands: Subcommands,
    name: str,
    summary: str,
    description: str,
    epilog: str,
    run: Callable[[argparse.Namespace], int] | None = None,
) -> argparse.ArgumentParser:
    """A command's parser: ``summary`` in the list of commands, the rest in its ``--help``, and
    ``run`` as what handles it (None where each of its actions sets its own)."""
    parser = commands.add_parser(
        name, help=summary, description=description, epilog=epilog, formatter_class=HelpFormatter
    )
    if run is not None:
        parser.set_defaults(run=run)
    return parser
