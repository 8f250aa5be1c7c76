"""The file and SQL source packages keep dlt's verified-sources anatomy (docs/adding-a-dataset.md): ``__init__.py``
holds the package's ``@dlt.source``, ``settings.py`` constants only, and the catalogue lists every billing dataset
with its own source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ingestion import catalogue

INGESTION = Path(__file__).resolve().parents[2] / "ingestion"
# the billing-export, file-drop and SQL sources (the REST API sources follow the same layout with their HTTP client)
PACKAGES = ("aws_cur", "azure_cost_details", "focus_exports", "gcp_billing", "business_kpis", "finance")


@pytest.mark.parametrize("package", PACKAGES)
def test_settings_hold_constants_only(package):
    path = INGESTION / package / "settings.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [
        f"line {n.lineno}: {type(n).__name__} {getattr(n, 'name', '')}".rstrip()
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
    ]
    bad += [
        f"line {n.lineno}: imports {'.' * n.level}{n.module or ''}"
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").split(".")[0] == "ingestion")
    ]
    bad += [
        f"line {n.lineno}: imports {a.name}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.name.split(".")[0] == "ingestion"
    ]
    assert not bad, f"{path.relative_to(INGESTION.parent)} must hold constants only: {bad}"


@pytest.mark.parametrize("package", PACKAGES)
def test_init_declares_the_dlt_source(package):
    tree = ast.parse((INGESTION / package / "__init__.py").read_text(encoding="utf-8"))
    sources = [
        f.name
        for f in tree.body
        if isinstance(f, ast.FunctionDef) and any("dlt.source" in ast.unparse(d) for d in f.decorator_list)
    ]
    assert sources == [package], f"ingestion/{package}/__init__.py: @dlt.source functions {sources}"


@pytest.mark.parametrize("billing", catalogue.BILLING_DATASETS, ids=lambda b: b.name)
def test_each_billing_dataset_has_its_own_source(billing):
    source = billing.source()
    assert source.name == billing.name
    assert sorted(source.resources) == sorted([billing.table, "quarantine"])
    assert {f.dataset for f in billing.formats} == {billing.name} and {f.table for f in billing.formats} == {
        billing.table
    }
