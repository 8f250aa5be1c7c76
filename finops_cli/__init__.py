"""`finops`: the command line for people. Every command is a thin wrapper: loading lives in `ingestion/`, checks in
`data_quality/`, outputs in the serving package, and the full pipeline runs through Dagster (`finops run`). One
module per command group:

| module | commands |
|---|---|
| :mod:`finops_cli.load` | ``load`` (one export file or folder, then its FOCUS record) |
| :mod:`finops_cli.run` | ``run`` (the pipeline through Dagster), ``close`` (a billing month) |
| :mod:`finops_cli.report` | ``summary``, ``quarantine`` (read-only) |
| :mod:`finops_cli.validate` | ``validate-focus`` |
| :mod:`finops_cli.export` | ``export-focus``, ``export-journal``, ``export-marts``, ``publish``, ``lake`` |
| :mod:`finops_cli.dashboard` | ``dashboard`` (the executive web app over the published copy) |
| :mod:`finops_cli.demo` | ``generate``, ``demo-vendors`` (the only module that imports ``finops_demo``) |

Shared: exit codes and guards in :mod:`finops_cli.common`; running Dagster jobs in process in
:mod:`finops_cli.runner`; the spend summary in :mod:`finops_cli.summary`. Imports point down: the CLI imports
``orchestration``, never the other way round."""

from __future__ import annotations

import logging
import sys

import click

from . import dashboard, demo, export, load, report, run, validate
from .common import (
    EXIT_BUSY,
    EXIT_CANTCREAT,
    EXIT_CODES_HELP,
    EXIT_CONFIG,
    EXIT_DATAERR,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOINPUT,
    EXIT_OK,
    EXIT_QUARANTINED,
    EXIT_USAGE,
    CliError,
)

__all__ = [
    "EXIT_BUSY",
    "EXIT_CANTCREAT",
    "EXIT_CONFIG",
    "EXIT_DATAERR",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOINPUT",
    "EXIT_OK",
    "EXIT_QUARANTINED",
    "EXIT_USAGE",
    "CliError",
    "main",
]


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("finops").setLevel(logging.INFO)


class FinopsGroup(click.Group):
    """Command-line mistakes exit 64 (EX_USAGE), not click's 2, which `finops load` uses for quarantined input;
    Ctrl-C exits 130."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:
            e.exit_code = EXIT_USAGE
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            e.exit_code = EXIT_USAGE
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as e:  # a folder the checks above did not foresee (read-only mount, a file made read-only)
            import errno

            if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise CliError(
                f"Cannot write or read {e.filename or 'a file'}: {e.strerror}. Make it (and its folder) "
                "writable, or point FINOPS_WAREHOUSE / the output path elsewhere.",
                EXIT_CANTCREAT,
            ) from None


@click.group(cls=FinopsGroup, epilog=EXIT_CODES_HELP)
@click.option("-v", "--verbose", is_flag=True, help="Show progress of every step.")
def main(verbose: bool) -> None:
    """FinOps-for-AI warehouse: cloud bills, model APIs and AI SaaS in one FOCUS 1.2 cost record."""
    _setup_logging(verbose)


# in the order of the flow: demo data, load, run, look, validate, export
for command in (
    demo.generate,
    demo.demo_vendors,
    load.load,
    run.run,
    run.close,
    report.summary,
    report.quarantine,
    validate.validate_focus,
    export.export_focus,
    export.publish,
    export.export_marts,
    export.export_journal,
    export.lake,
    dashboard.dashboard,
):
    main.add_command(command)
