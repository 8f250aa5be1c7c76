"""`finops dashboard`: serve the executive web app (dashboard/, Streamlit) over the published read-only copy.

The app never opens the warehouse itself: it reads ``<warehouse dir>/published/finops_bi.duckdb`` (the copy
``finops run`` publishes after the marts, ``finops publish`` by hand) read-only, so a run can write the warehouse
while the dashboard is open. Streamlit runs headless, without usage statistics, on 127.0.0.1 by default, in its own
process group (a Ctrl-C stops it and everything it started)."""

from __future__ import annotations

import os
import socket
import sys

import click

from .common import EXIT_NOINPUT, EXIT_USAGE, CliError

DEFAULT_PORT = 8501
DEFAULT_HOST = "127.0.0.1"


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


@click.command("dashboard")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="Port to serve.")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on (127.0.0.1: this machine only; 0.0.0.0 exposes it to the network).",
)
def dashboard(port: int, host: str) -> None:
    """Serve the executive dashboard (spend, AI, showback, budgets, anomalies, waste, shadow AI, contracts, close,
    data health) at http://HOST:PORT over the published read-only copy of the warehouse."""
    from orchestration.lib.settings import Settings
    from serving.publish import published_path

    from .subprocesses import run_in_own_group

    warehouse = Settings.from_env().warehouse
    copy = published_path(warehouse)
    if not copy.exists():
        raise CliError(
            f"There is no published copy at {copy}: the dashboard reads only the read-only copy the pipeline "
            "publishes after the marts. Run `finops run` (it publishes), or `finops publish` on a warehouse already "
            "built; `make demo` builds the demo warehouse.",
            EXIT_NOINPUT,
        )
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise CliError("Streamlit is not installed: run `make install`.", EXIT_NOINPUT) from None
    if not _port_free(host, port):
        raise CliError(f"Cannot listen on {host}:{port}: the port is in use. Choose another with --port.", EXIT_USAGE)
    from dashboard import DB_ENV, streamlit_command

    env = {**os.environ, DB_ENV: str(copy)}
    click.echo(f"dashboard on http://{host}:{port} reading {copy} (read-only); Ctrl-C stops it", err=True)
    code = run_in_own_group(streamlit_command(host, port), echo=lambda m: click.echo(m, err=True), env=env)
    sys.exit(code)
