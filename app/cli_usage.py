"""Command-line groups whose usage errors are one line, as every other failure of the commands is.

Click answers a missing or bad argument with three lines (usage, a hint, the error); a script
reading stderr, or a person, needs only the error and where to look.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup


class OneLineUsageError(click.UsageError):
    def show(self, file=None) -> None:
        where = f" (see `{self.ctx.command_path} --help`)" if self.ctx else ""
        click.echo(f"Error: {self.format_message()}{where}", file=file, err=True)


class OneLineCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise OneLineUsageError(error.format_message(), error.ctx or ctx) from None


class CommandGroup(AppGroup):
    """An AppGroup whose commands report bad arguments in one line."""

    command_class = OneLineCommand
