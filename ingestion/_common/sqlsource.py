"""Tables in a SQL database read with dlt's ``sql_table`` (the business KPIs, the finance ledger), and the database
URL, which is a secret: parsed once, shown only without its password, scrubbed from every message.

* :class:`SqlDatabase` / :func:`redact_url` / :func:`url_secrets` / :func:`scrub`: the URL as it may be shown.
* :func:`validate_sql_url`: refuse an unparseable URL (without echoing it) or a SQLite file that does not exist.
* :func:`incremental_table`: ``sql_table`` on one table, incremental on its cursor column, selecting only the
  columns the source maps (raw values: a bad value becomes a quarantined row, not a failed read), failing clearly
  when a required column is missing; its state is kept per table.
* :func:`run_scrubbed`: run a dlt pipeline and re-raise any failure as the source's error, without the exception
  chain and with the password scrubbed.
* :func:`sqlite_env`: point a source's credentials variable at a SQLite file for the duration (the demo).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from .errors import find_in_chain
from .landing import LandingPathError
from .tables import drop_pending, finish_pending


@dataclass(frozen=True)
class SqlDatabase:
    url: str = field(repr=False)
    table: str = ""
    schema: str | None = None
    cursor_column: str = "updated_at"

    def __repr__(self) -> str:  # never the password
        return f"SqlDatabase({self.safe_url!r}, table={self.qualified_table!r})"

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    @property
    def safe_url(self) -> str:
        return redact_url(self.url)

    @property
    def shown(self) -> str:
        """The database and table as reports show them: ``<url without password> table <[schema.]table>``."""
        return f"{self.safe_url} table {self.qualified_table}"

    @property
    def secrets(self) -> list[str]:
        return url_secrets(self.url)

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets)


def configured_database(
    args: dict[str, Any], default_table: str, default_cursor: str, prefix: str = ""
) -> SqlDatabase | None:
    """The SQL table a file-drop source's arguments configure (``<prefix>credentials``, ``<prefix>table_name``,
    ``<prefix>db_schema``, ``<prefix>cursor_column``); None without credentials."""
    if not args.get(f"{prefix}credentials"):
        return None
    return SqlDatabase(
        args[f"{prefix}credentials"],
        args.get(f"{prefix}table_name") or default_table,
        args.get(f"{prefix}db_schema"),
        args.get(f"{prefix}cursor_column") or default_cursor,
    )


def _parse_url(url: str):
    from sqlalchemy.engine import make_url

    return make_url(url)


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (``<unparseable URL>`` when SQLAlchemy cannot read it)."""
    try:
        return _parse_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is never echoed: it may hold the password anywhere
        return "<unparseable SQLAlchemy URL>"


def url_secrets(url: str) -> list[str]:
    """Strings that must never appear in a message: the password (raw and URL-encoded) and the full URL when it
    holds one (or cannot be parsed)."""
    out: list[str] = []
    try:
        pw = _parse_url(url).password
    except Exception:  # noqa: BLE001 - unparseable: the whole value may hide the password anywhere
        out.append(url)
        pw = None
        m = re.match(r"^[^:/]+://[^:/@]*:([^@]*)@", url)  # best effort on an unparseable URL
        if m:
            pw = m.group(1)
    if pw:
        out.append(url)
        out += [str(pw), quote(str(pw), safe=""), quote_plus(str(pw))]
    return sorted({s for s in out if s and len(s) >= 3}, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return text


def validate_sql_url(url: str, *, env: str, system: str, error: type[Exception]) -> None:
    """Raise ``error`` (without the URL) when SQLAlchemy cannot parse it, or when it names a SQLite file that does
    not exist (SQLite would create an empty database). ``env`` is the variable that holds it."""
    try:
        parsed = _parse_url(url)
    except Exception:  # noqa: BLE001
        raise error(
            f"{env} is not a valid SQLAlchemy URL (expected e.g. sqlite:////path/db.sqlite or "
            "postgresql://user:password@host:5432/dbname); the value is not shown"
        ) from None
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not parsed.database.startswith("file:")
        and not Path(parsed.database).is_file()
    ):
        raise error(
            f"{system}: the SQLite database {parsed.database} does not exist ({env}); run `finops "
            "generate` for the demo one"
        )


def incremental_table(
    db: SqlDatabase,
    *,
    system: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    key: tuple[str, ...],
    cursor_env: str,
    chunk_size: int,
    error: type[Exception],
    on_cursor_value_missing: str = "raise",
) -> tuple[Any, Any]:
    """(dlt's ``sql_table`` resource on ``db``'s table, incremental on its cursor column; the SQLAlchemy engine,
    for the caller to dispose after the load).

    Only ``required``, ``optional`` and the cursor column are selected; every column but the cursor is read raw
    (no SQLAlchemy result processing), so the caller validates the values. Rows at the cursor boundary are
    de-duplicated by ``key``. The resource is named ``sql_table_<schema_table>``: its cursor state is kept per
    table. ``on_cursor_value_missing``: dlt's handling of a row whose cursor is NULL (``raise`` fails the load,
    ``include`` reads such rows on every run). Raises ``error`` (password scrubbed, no chain) when the driver is
    missing, the table cannot be read or lacks a required column."""
    import dlt
    from dlt.sources.sql_database import sql_table
    from sqlalchemy import create_engine
    from sqlalchemy.types import NullType

    wanted = {*required, *optional, db.cursor_column.lower()}

    def keep_columns(table: Any) -> Any:
        """table_adapter_callback: select only the wanted columns; fail clearly when a required one is missing."""
        cols = {c.name.lower(): c for c in table.columns}
        missing = [c for c in (*required, db.cursor_column.lower()) if c not in cols]
        if missing:
            opt = f" and optionally {', '.join(optional)}" if optional else ""
            raise error(
                f"{system} table {db.qualified_table} ({db.safe_url}) has no column(s) {', '.join(missing)}; it "
                f"needs {', '.join(required)}, the cursor column {db.cursor_column!r} (set {cursor_env}){opt} - "
                "create a view with these names"
            )
        for name, col in cols.items():
            if name not in wanted:
                table._columns.remove(col)
            elif name != db.cursor_column.lower():
                # raw values, no SQLAlchemy result processing: a bad value in a typeless SQLite column must become a
                # quarantined row (validated by the caller), not fail the whole read
                col.type = NullType()
        return table

    try:
        engine = create_engine(db.url)
    except ModuleNotFoundError as e:
        raise error(
            f"{system}: the database driver for {db.safe_url} is not installed (module {e.name}); install it "
            "(PyPI: psycopg[binary] for postgresql://, psycopg2-binary for postgresql+psycopg2://) or name an "
            "installed driver in the URL"
        ) from None
    except Exception as e:  # noqa: BLE001 - e.g. an unknown dialect; the message may quote the URL
        raise error(
            f"{system}: cannot use {db.safe_url}: {type(e).__name__}: {db.scrub(str(e)).splitlines()[0][:500]}"
        ) from None
    try:
        rows = sql_table(
            credentials=engine,
            table=db.table,
            schema=db.schema,
            incremental=dlt.sources.incremental(
                db.cursor_column, primary_key=key, on_cursor_value_missing=on_cursor_value_missing
            ),
            chunk_size=chunk_size,
            reflection_level="minimal",  # types come from the caller's declared columns, never the source table
            table_adapter_callback=keep_columns,
        ).with_name("sql_table_" + re.sub(r"\W+", "_", db.qualified_table.lower()))
    except error:
        engine.dispose()
        raise
    except Exception as e:  # noqa: BLE001 - reflection failed: unreachable database, no such table, ...
        engine.dispose()
        raise error(
            f"{system}: cannot read table {db.qualified_table} from {db.safe_url}: "
            f"{type(e).__name__}: {db.scrub(str(e)).splitlines()[0][:500]}"
        ) from None
    return rows, engine


def root_exception(exc: BaseException) -> BaseException:
    """The innermost exception dlt wrapped (the driver's or the source's own)."""
    inner = getattr(exc, "exception", None)
    while isinstance(inner, BaseException) and getattr(inner, "exception", None) is not None:
        inner = inner.exception
    return inner if isinstance(inner, BaseException) else (exc.__cause__ or exc)


def run_scrubbed(
    pipeline: Any,
    make_source: Callable[[], Any],
    *,
    error: type[Exception],
    secrets: list[str],
    label: str,
    engines: list[Any],
) -> None:
    """Run the source ``make_source()`` builds (after finishing a crashed run's pending package), then dispose the
    SQLAlchemy ``engines`` its resources opened. Any failure, in building the source too, discards the pending
    package and is re-raised as ``error``: the source's own ``error`` message if there is one, else ``<label>: load
    failed: <root cause>``, password scrubbed, without the exception chain (the driver's message may hold the URL)."""
    try:
        finish_pending(pipeline)  # a crashed run: finish its load first
        pipeline.run(make_source())
    except Exception as e:  # noqa: BLE001 - re-raised without the chain, password scrubbed
        drop_pending(pipeline)
        cause = find_in_chain(e, error)
        root = root_exception(e)
        refused = find_in_chain(e, LandingPathError)  # a drop path escaping its folder: say only that
        msg = (
            str(cause)
            if cause is not None
            else f"{label}: {refused}"
            if refused is not None
            else f"{label}: load failed: {type(root).__name__}: {root}"
        )
        raise error(scrub(msg, secrets)) from None
    finally:
        for engine in engines:
            engine.dispose()


def check_rows(
    items: list[dict[str, Any]],
    db: SqlDatabase,
    run_id: str,
    read: list[int],
    validate: Callable[..., tuple[dict[str, Any] | None, list[Any]]],
) -> tuple[list, list]:
    """Validate a chunk of ``sql_table`` rows: ([(raw row with lower-case keys, its validated value)], [errors of
    the bad rows]). ``validate(raw, source, row, delivery_id)``. A bad SQL row has no file row number: its key in
    the quarantine is (the table, this run, its position in the run's read, counted in ``read[0]``)."""
    good, errors = [], []
    for item in items:
        read[0] += 1
        raw = {k.lower(): v for k, v in item.items()}
        value, bad = validate(raw, db.qualified_table, read[0], f"{db.qualified_table}|{run_id}")
        if bad or value is None:
            errors += bad
            continue
        good.append((raw, value))
    return good, errors


def row_counts(pipeline: Any) -> dict[str, int]:
    """Rows per table written by the pipeline's last run (dlt's normalize counts)."""
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    return {t: int(n) for t, n in counts.items()}


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file (absolute)."""
    return f"sqlite:///{Path(path).resolve()}"


@contextmanager
def sqlite_env(var: str, db: Path, what: str) -> Iterator[str]:
    """Set ``var`` to the SQLAlchemy URL of the SQLite file ``db`` for the duration (the caller's value is restored
    on exit). Yields the URL. FileNotFoundError naming ``what`` when the file does not exist (SQLite would create
    an empty database)."""
    if not Path(db).is_file():
        raise FileNotFoundError(f"no {what} at {db}; run `finops generate` first")
    saved = os.environ.get(var)
    os.environ[var] = url = sqlite_url(db)
    try:
        yield url
    finally:
        if saved is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = saved
