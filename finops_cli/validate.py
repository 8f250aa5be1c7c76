"""`finops validate-focus`: the FinOps Foundation's focus-validator on the FOCUS export (options passed through to
:func:`data_quality.focus.cli.main`)."""

from __future__ import annotations

import sys

import click

from orchestration.lib.settings import Settings

from .common import require_warehouse


@click.command("validate-focus", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def validate_focus(ctx: click.Context) -> None:
    """Run the FinOps Foundation's focus-validator 2.2.1 (own venv) on focus_cost_and_usage.

    \b
    Options (passed through): --warehouse PATH, --relation R, --applicability A, --work-dir DIR, --venv DIR,
    --verbose.
    \b
    Exit codes:
      0  conformant (no conformance failure, project checks pass)
      1  conformance failures or project-check violations (listed)
      3  no rows in focus_cost_and_usage: nothing to validate (load billing data with
         `finops load PATH` or `finops run` first)
     66  no warehouse yet
     69  the validator could not run (no Python 3.12 for its virtualenv, install failed, ...)
    """
    from data_quality.focus import cli as focus_cli

    if not any(a == "--warehouse" or a.startswith("--warehouse=") for a in ctx.args):
        require_warehouse()
    Settings.from_env().export()
    sys.exit(focus_cli.main(ctx.args))
