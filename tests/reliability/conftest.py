"""Fixtures of the fault-injection suite: an empty landing zone and a warehouse path per test (the helpers are in
tests/support/faults.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def landing(tmp_path) -> Path:
    p = tmp_path / "landing"
    p.mkdir()
    return p


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "finops.duckdb"
