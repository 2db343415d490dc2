"""Administrator subcommands of the CLI (backup, restore, check, audit …), kept apart from
the everyday ones in cli.py. `add_parsers` adds them; COMMANDS maps names to handlers."""

from __future__ import annotations

import argparse

COMMANDS: dict = {}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the administrator subcommands to the CLI parser."""
