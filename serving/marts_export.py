"""Export the published copy's marts (and metric tables) as Parquet for BI tools that read files: ``finops
export-marts DIR``. No Dagster import. Reads only the read-only published copy (:mod:`serving.publish`), never the
warehouse, so it runs while the pipeline writes.

``DIR`` receives one Parquet file per table, ``<schema>/<table>.parquet`` (zstd), for every table of the schemas
:data:`EXPORT_SCHEMAS` the published copy has (``marts``; ``metrics`` when the metric tables are published), and
``schema.json``::

    {"format": "finops-marts-export", "version": 1, "published_at": "...", "exported_at": "...",
     "source": "<published copy>", "tables": [{"schema": "marts", "table": "fct_charges",
     "file": "marts/fct_charges.parquet", "rows": 1234, "description": "...",
     "columns": [{"name": "billed_cost", "type": "DECIMAL(38,10)", "parquet_type": "decimal128(38, 10)",
                  "description": "..."}, ...]}, ...]}

``type`` is the DuckDB type in the published copy, ``parquet_type`` the Arrow type of the written file (DECIMAL
stays DECIMAL, dates stay dates). HUGEINT columns (Parquet has no 128-bit integer; DuckDB would write a DOUBLE)
are written as DECIMAL(38,0), exact. Descriptions come from the dbt project's YAML (models, seeds, semantic models,
metrics; ``null`` when a table or column is not documented there).

The export is written to a staging folder beside ``DIR`` and swapped in whole: re-running replaces every file (a
table dropped since is gone), a failed export leaves the previous one untouched. A ``DIR`` that exists, is not
empty and holds no ``schema.json`` of an earlier export is refused (never wiped).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from serving.folders import swap_in

__all__ = [
    "EXPORT_SCHEMAS",
    "SCHEMA_FILE",
    "MartsExport",
    "ExportFolderError",
    "MartsExportError",
    "dbt_descriptions",
    "export_marts",
]

EXPORT_SCHEMAS = ("marts", "metrics")
SCHEMA_FILE = "schema.json"
FORMAT = "finops-marts-export"
DBT_MODELS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models"
DBT_SEEDS_DIR = DBT_MODELS_DIR.parent / "seeds"
EXACT_INTEGERS = {"HUGEINT": "DECIMAL(38,0)", "UHUGEINT": "DECIMAL(38,0)"}  # Parquet has no 128-bit integer


class MartsExportError(RuntimeError):
    """The export cannot be written (no published copy, nothing to export, a folder that is not an export); the
    previous export, if any, is untouched."""


class ExportFolderError(MartsExportError):
    """``DIR`` cannot be the export folder (a file, a folder with other content, the published copy's folder)."""


@dataclass
class MartsExport:
    out_dir: Path
    published_at: str | None
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def summary(self) -> str:
        schemas = ", ".join(sorted({t.split(".")[0] for t in self.tables}))
        return (
            f"wrote {len(self.tables)} tables ({self.rows:,} rows) of {schemas} as Parquet to {self.out_dir} "
            f"(columns, types and descriptions: {self.out_dir / SCHEMA_FILE}; published at {self.published_at or '-'})"
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def dbt_descriptions(*dirs: Path) -> dict[str, tuple[str | None, dict[str, str]]]:
    """Table name -> (description, {column: description}) from the dbt YAML under ``dirs`` (default: the project's
    models and seeds): models, seeds, snapshots, semantic models (their entities, dimensions and measures as
    columns) and metrics."""
    import yaml

    out: dict[str, tuple[str | None, dict[str, str]]] = {}
    for root in dirs or (DBT_MODELS_DIR, DBT_SEEDS_DIR):
        for path in sorted(Path(root).rglob("*.yml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(doc, dict):
                continue
            for kind in ("models", "seeds", "snapshots", "semantic_models", "metrics"):
                for node in doc.get(kind) or []:
                    if not isinstance(node, dict) or not node.get("name"):
                        continue
                    columns = {
                        c["name"]: " ".join(str(c["description"]).split())
                        for part in ("columns", "entities", "dimensions", "measures")
                        for c in node.get(part) or []
                        if isinstance(c, dict) and c.get("name") and c.get("description")
                    }
                    text = node.get("description")
                    desc, cols = out.get(node["name"], (None, {}))
                    out[node["name"]] = (desc or (" ".join(str(text).split()) if text else None), {**columns, **cols})
    return out


def _is_earlier_export(folder: Path) -> bool:
    try:
        return json.loads((folder / SCHEMA_FILE).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def export_marts(
    published: str | os.PathLike,
    out_dir: str | os.PathLike,
    schemas: Iterable[str] = EXPORT_SCHEMAS,
    descriptions: dict[str, tuple[str | None, dict[str, str]]] | None = None,
    progress=None,
) -> MartsExport:
    """Write every table of ``schemas`` in the published copy ``published`` to ``out_dir`` as Parquet, with
    ``schema.json`` (module doc); ``progress(schema.table, rows)`` after each table. Replaces an earlier export."""
    src = Path(published).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    if not src.exists():
        raise MartsExportError(
            f"there is no published copy at {src}: run `finops run` (it publishes the marts after their checks) "
            "or `finops publish`"
        )
    if out.exists() and not out.is_dir():
        raise ExportFolderError(f"{out} is a file, not a folder: choose a folder for the export")
    if out.exists() and any(out.iterdir()) and not _is_earlier_export(out):
        raise ExportFolderError(
            f"{out} is not empty and holds no earlier export ({SCHEMA_FILE}): choose a new or empty folder "
            "(an export replaces its folder whole)"
        )
    if out == src.parent or src.is_relative_to(out):
        raise ExportFolderError(f"{out} holds the published copy: choose another folder for the export")
    schemas = tuple(schemas)
    docs = dbt_descriptions() if descriptions is None else descriptions
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging.mkdir()
    try:
        with duckdb.connect(str(src), read_only=True) as con:
            placeholders = ", ".join("?" for _ in schemas)
            relations = con.execute(
                "select table_schema, table_name from information_schema.tables "
                f"where table_schema in ({placeholders}) order by 1, 2",
                list(schemas),
            ).fetchall()
            if not relations:
                raise MartsExportError(
                    f"the published copy {src} has no table in {', '.join(schemas)}: run `finops run` first"
                )
            try:
                published_at = con.execute("select max(published_at) from main.publication").fetchone()[0]
            except duckdb.CatalogException:  # a copy published by hand without the publication table
                published_at = None
            report = MartsExport(out, published_at.isoformat() if published_at else None)
            tables = [
                _export_table(con, staging, schema, table, docs.get(table, (None, {}))) for schema, table in relations
            ]
            for t in tables:
                report.tables[f"{t['schema']}.{t['table']}"] = t["rows"]
                if progress:
                    progress(f"{t['schema']}.{t['table']}", t["rows"])
        manifest = {
            "format": FORMAT,
            "version": 1,
            "published_at": report.published_at,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": str(src),
            "tables": tables,
        }
        (staging / SCHEMA_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # swap the whole folder in: a re-run replaces every file, a failure above left the old export as it was
        swap_in(staging, out)
        return report
    except duckdb.Error as e:
        raise MartsExportError(f"exporting {src} to {out} failed, the previous export is untouched: {e}") from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export_table(
    con: duckdb.DuckDBPyConnection, staging: Path, schema: str, table: str, doc: tuple[str | None, dict[str, str]]
) -> dict:
    import pyarrow.parquet as pq

    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    select = ", ".join(
        f"cast({_ident(c)} as {EXACT_INTEGERS[t]}) as {_ident(c)}" if t in EXACT_INTEGERS else _ident(c)
        for c, t in columns
    )
    (staging / schema).mkdir(exist_ok=True)
    path = staging / schema / f"{table}.parquet"
    con.execute(
        f"copy (select {select} from {_ident(schema)}.{_ident(table)}) to {_literal(path)} "
        "(format parquet, compression zstd)"
    )
    parquet = pq.read_metadata(path)
    arrow = parquet.schema.to_arrow_schema()
    description, column_docs = doc
    return {
        "schema": schema,
        "table": table,
        "file": f"{schema}/{table}.parquet",
        "rows": parquet.num_rows,
        "description": description,
        "columns": [
            {
                "name": c,
                "type": t,
                "parquet_type": str(arrow.field(c).type),
                "description": column_docs.get(c),
            }
            for c, t in columns
        ],
    }
