"""`finops dashboard`'s errors, without a browser: no published copy (exit 66, what to run), a port in use (64)."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from finops_cli import EXIT_NOINPUT, EXIT_USAGE, main
from serving.publish import published_path


def test_no_published_copy_exits_66_saying_what_to_run(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse" / "finops.duckdb"
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    result = CliRunner().invoke(main, ["dashboard"])
    assert result.exit_code == EXIT_NOINPUT, result.output
    assert str(published_path(warehouse)) in result.output
    assert "finops run" in result.output and "finops publish" in result.output and "make demo" in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_exits_64(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse" / "finops.duckdb"
    copy = published_path(warehouse)
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"")  # exists: the port is checked before anything reads it
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(main, ["dashboard", "--port", str(port)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert f"127.0.0.1:{port}" in result.output and "--port" in result.output


def test_bad_port_is_a_usage_error():
    result = CliRunner().invoke(main, ["dashboard", "--port", "70000"])
    assert result.exit_code == EXIT_USAGE
