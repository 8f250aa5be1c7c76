"""The small framework behind the Great Expectations suites: suite specs, the runner and building blocks.

A :class:`Suite` is one rule set on one relation of the warehouse (one Dagster asset check): a name (the check
name, unique per relation), the relation, the rule in words, what to do when it fails, a severity (``error`` |
``warn``), whether it blocks downstream assets, and one or more :class:`Frame` s. A frame is the SQL that reads the
data the rule needs (only the columns it needs; aggregated in DuckDB where the rule allows it, e.g. "BilledCost per
InvoiceId minus the invoice total") and the GX 1.x expectations evaluated on that DataFrame.

GX on DuckDB through SQLAlchemy is broken upstream, so :func:`validate_suite` reads each frame from a read-only
DuckDB connection into pandas (Arrow -> pandas: DECIMAL stays ``decimal.Decimal``, dates and timestamps stay Python
objects, so nothing is rounded through floats) and validates it with GX objects: one ephemeral context per process
(cached, created on first use, never at import), a pandas data source, a DataFrame asset, a whole-DataFrame batch
definition, ``batch.validate(suite)``. Expectations are built fresh for every validation (factories), with a
``description`` that names the rule; results are SUMMARY with up to ``examples`` failing values and, where the
frame declares ``index`` columns, the identity of the failing rows (``unexpected_index_column_names``).

A relation that does not exist (not built or loaded yet) gives the status ``not built yet`` and passes, like
:mod:`serving.governance_alerts`; a frame whose other relations (``requires``) are missing is skipped the same
way. No Dagster import: ``orchestration/defs/quality/gx_checks.py`` wires the suites as asset checks.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ingestion._common.relations import relation_columns, relations

from .reference import (
    EARLIEST_DATE,
    FUTURE_DAYS,
    ISO_4217_CODES,
    PLACEHOLDER_MAX_LENGTH,
    PLACEHOLDER_PATTERN,
)

SEVERITIES = ("error", "warn")
NOT_BUILT = "not built yet"
DEFAULT_EXAMPLES = 5

Columns = Mapping[str, str]  # the suite relation's columns: name -> DuckDB data_type
ExpectationFactory = Callable[[Columns], Sequence[Any]]


# --------------------------------------------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One DataFrame read for a suite and the expectations validated on it.

    ``sql`` is a query or a function of the suite relation's columns (so that a generic suite reads only the columns
    a relation has); ``expectations`` builds fresh GX expectations (from the same columns). ``index`` names the
    columns that identify a failing row in the examples; ``requires`` lists the other relations the SQL reads.
    """

    name: str
    sql: str | Callable[[Columns], str]
    expectations: ExpectationFactory
    index: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    def query(self, columns: Columns) -> str:
        return self.sql(columns) if callable(self.sql) else self.sql


@dataclass(frozen=True)
class Suite:
    """A rule set on one relation: one asset check (name = check name)."""

    name: str
    relation: str  # schema.table
    rule: str  # what it checks, in words
    frames: tuple[Frame, ...]
    remedy: str  # what to do next when it fails
    severity: str = "error"
    blocking: bool = False

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"suite {self.id}: severity must be one of {SEVERITIES}, not {self.severity!r}")
        if "." not in self.relation:
            raise ValueError(f"suite {self.name}: relation must be schema.table, not {self.relation!r}")
        if not self.frames:
            raise ValueError(f"suite {self.id}: no frame")

    @property
    def id(self) -> str:
        return f"{self.relation}:{self.name}"

    @property
    def schema(self) -> str:
        return self.relation.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.relation.split(".", 1)[1]

    @property
    def reads(self) -> tuple[str, ...]:
        """Every relation the suite reads (its own first)."""
        out = [self.relation]
        for f in self.frames:
            out += [r for r in f.requires if r not in out]
        return tuple(out)


# --------------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation: the rule (its description), whether it held, how many values failed out of
    how many, and up to N examples (the failing value, with the identity of its row where the frame has one)."""

    frame: str
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_between
    rule: str
    columns: tuple[str, ...]
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    observed: Any = None
    examples: tuple[Any, ...] = ()
    error: str | None = None

    def line(self) -> str:
        where = f"{self.frame}: " if self.frame else ""
        if self.error:
            return f"{where}{self.rule}: could not be evaluated ({self.error})"
        if self.success:
            return f"{where}{self.rule}: ok"
        count = (
            f"{self.unexpected_count} of {self.element_count} values"
            if self.unexpected_count is not None
            else f"observed {_text(self.observed)}"
        )
        examples = f"; e.g. {', '.join(_text(e) for e in self.examples)}" if self.examples else ""
        return f"{where}{self.rule}: {count}{examples}"


@dataclass(frozen=True)
class FrameOutcome:
    name: str
    rows: int
    status: str  # validated | not built yet
    missing: tuple[str, ...] = ()  # relations it needs that do not exist
    seconds: float = 0.0


@dataclass(frozen=True)
class SuiteResult:
    """The outcome of a suite. ``status``: ``passed``, ``failed`` or ``not built yet`` (passes)."""

    suite: Suite
    status: str
    frames: tuple[FrameOutcome, ...] = ()
    outcomes: tuple[ExpectationOutcome, ...] = ()
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status != "failed"

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.success)

    @property
    def rows(self) -> int:
        """Rows read into the validated frames."""
        return sum(f.rows for f in self.frames)

    def failed_rules(self) -> list[str]:
        return [o.rule for o in self.failures]

    def summary(self) -> str:
        """One paragraph for people (check description, logs): relation, rule, outcome, examples, what to do."""
        head = f"{self.suite.relation} [{self.suite.name}] {self.suite.rule}"
        if self.status == NOT_BUILT:
            missing = sorted({m for f in self.frames for m in f.missing}) or [self.suite.relation]
            return f"{head}: {NOT_BUILT} ({', '.join(missing)} not in the warehouse); nothing to check."
        skipped = [f for f in self.frames if f.status == NOT_BUILT]
        note = "".join(f" Frame {f.name} skipped: {', '.join(f.missing)} {NOT_BUILT}." for f in skipped)
        if self.passed:
            return (
                f"{head}: passed, {len(self.outcomes)} expectations on {self.rows:,} rows read "
                f"({self.seconds:.1f} s).{note}"
            )
        lines = [
            (
                f"{head}: FAILED {len(self.failures)} of {len(self.outcomes)} expectations "
                f"({self.rows:,} rows read).{note}"
            )
        ]
        lines += [f"- {o.line()}" for o in self.failures]
        lines.append(f"Next: {self.suite.remedy}")
        return "\n".join(lines)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    if hasattr(value, "item"):  # numpy scalars
        return _text(value.item())
    return str(value)


def plain(value: Any) -> Any:
    """A JSON-friendly copy of an example value (Decimal and dates as strings, numpy scalars as Python)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return plain(value.item())
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# --------------------------------------------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------------------------------------------

_BATCH_DEFINITION = None


def _batch_definition():
    """The GX whole-DataFrame batch definition of the process's ephemeral context (created on first use)."""
    global _BATCH_DEFINITION
    if _BATCH_DEFINITION is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            context = gx.get_context(
                mode="ephemeral",
                project_config=DataContextConfig(
                    analytics_enabled=False,
                    store_backend_defaults=InMemoryStoreBackendDefaults(),
                    progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
                ),
            )
            source = context.data_sources.add_pandas(name="finops_warehouse")
            asset = source.add_dataframe_asset(name="frame")
            _BATCH_DEFINITION = asset.add_batch_definition_whole_dataframe("whole_frame")
    return _BATCH_DEFINITION


def _read_frame(con: duckdb.DuckDBPyConnection, sql: str):
    table = con.execute(sql).to_arrow_table()
    return table.to_pandas(date_as_object=True, timestamp_as_object=True, integer_object_nulls=True)


def _columns_of(config) -> tuple[str, ...]:
    kw = config.kwargs
    cols = kw.get("column_list") or [kw[k] for k in ("column", "column_A", "column_B") if kw.get(k)]
    return tuple(cols)


def _outcome(frame: str, result, examples: int) -> ExpectationOutcome:
    config = result.expectation_config
    info = result.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) else False
    res = result.result or {}
    rule = config.description or config.type
    if raised:
        return ExpectationOutcome(
            frame, config.type, rule, _columns_of(config), False, error=str(info.get("exception_message") or info)[:300]
        )
    indexed = res.get("partial_unexpected_index_list") or []
    rows = [r for r in indexed if isinstance(r, dict)]
    samples = rows[:examples] if rows else list(res.get("partial_unexpected_list") or [])[:examples]
    return ExpectationOutcome(
        frame=frame,
        expectation=config.type,
        rule=rule,
        columns=_columns_of(config),
        success=bool(result.success),
        element_count=res.get("element_count"),
        unexpected_count=res.get("unexpected_count"),
        observed=plain(res.get("observed_value")),
        examples=tuple(plain(s) for s in samples),
    )


def _validate_frame(frame: Frame, df, columns: Columns, examples: int) -> list[ExpectationOutcome]:
    import great_expectations as gx

    expectations = list(frame.expectations(columns))
    if not expectations:
        return []
    batch_definition = _batch_definition()  # the context first: a suite needs one
    suite = gx.ExpectationSuite(name=frame.name, expectations=expectations)
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": examples}
    if frame.index:
        result_format["unexpected_index_column_names"] = list(frame.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        validation = batch.validate(suite, result_format=result_format)
    return [_outcome(frame.name, r, examples) for r in validation.results]


def validate_suite(
    warehouse: str | os.PathLike | duckdb.DuckDBPyConnection, suite: Suite, examples: int = DEFAULT_EXAMPLES
) -> SuiteResult:
    """Read the suite's frames from the warehouse (read-only) and validate them with GX. A missing warehouse or
    relation gives ``not built yet`` (passes)."""
    started = time.monotonic()
    if isinstance(warehouse, duckdb.DuckDBPyConnection):
        return _validate(warehouse, suite, examples, started)
    if not Path(warehouse).exists():
        return SuiteResult(suite, NOT_BUILT, (FrameOutcome(suite.name, 0, NOT_BUILT, (suite.relation,)),))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return _validate(con, suite, examples, started)


def _validate(con, suite: Suite, examples: int, started: float) -> SuiteResult:
    con.execute("set TimeZone = 'UTC'")  # a TIMESTAMPTZ cast to DATE is the UTC day, whatever the machine's zone
    existing = relations(con)
    if suite.relation not in existing:
        return SuiteResult(
            suite,
            NOT_BUILT,
            (FrameOutcome(suite.name, 0, NOT_BUILT, (suite.relation,)),),
            seconds=time.monotonic() - started,
        )
    columns = relation_columns(con, suite.relation)
    frames, outcomes = [], []
    for frame in suite.frames:
        t0 = time.monotonic()
        missing = tuple(r for r in frame.requires if r not in existing)
        if missing:
            frames.append(FrameOutcome(frame.name, 0, NOT_BUILT, missing))
            continue
        try:
            df = _read_frame(con, frame.query(columns))
        except duckdb.Error as e:  # a frame that cannot be read fails its suite, the others still run
            outcomes.append(
                ExpectationOutcome(
                    frame.name,
                    "read_frame",
                    f"read the {frame.name} frame",
                    (),
                    False,
                    error=f"{type(e).__name__}: {str(e).splitlines()[0][:300]}",
                )
            )
            frames.append(FrameOutcome(frame.name, 0, "unreadable", seconds=time.monotonic() - t0))
            continue
        outcomes += _validate_frame(frame, df, columns, examples)
        frames.append(FrameOutcome(frame.name, len(df), "validated", seconds=time.monotonic() - t0))
    status = "passed" if all(o.success for o in outcomes) else "failed"
    return SuiteResult(suite, status, tuple(frames), tuple(outcomes), time.monotonic() - started)


def run_suites(
    warehouse: str | os.PathLike, suites: Iterable[Suite], examples: int = DEFAULT_EXAMPLES
) -> list[SuiteResult]:
    """Validate several suites over one read-only connection."""
    suites = list(suites)
    if not Path(warehouse).exists():
        return [validate_suite(warehouse, s, examples) for s in suites]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [validate_suite(con, s, examples) for s in suites]


# --------------------------------------------------------------------------------------------------------------
# Building blocks: SQL helpers and expectation factories
# --------------------------------------------------------------------------------------------------------------


def qi(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def qr(relation: str) -> str:
    """A quoted schema.table."""
    return ".".join(qi(p) for p in relation.split(".", 1))


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values_sql(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> str:
    """``(values (...), ...) as t(names)`` of string literals (an empty list gives no row)."""
    if not rows:
        nulls = ", ".join(f"cast(null as varchar) as {qi(n)}" for n in names)
        return f"(select {nulls} where false)"
    body = ", ".join("(" + ", ".join("null" if v is None else sql_str(str(v)) for v in r) + ")" for r in rows)
    return f"(values {body}) as t({', '.join(qi(n) for n in names)})"


def today_window() -> tuple[dt.date, dt.date]:
    """The sane window of business dates: EARLIEST_DATE .. today + FUTURE_DAYS (read at validation time)."""
    return dt.date.fromisoformat(EARLIEST_DATE), dt.date.today() + dt.timedelta(days=FUTURE_DAYS)


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx.expectations


def _cond():
    from great_expectations.expectations.row_conditions import Column

    return Column


def schema_frame(relation: str, expected: Mapping[str, str], exact: bool, what: str) -> Frame:
    """Columns and types: each expected ``column TYPE`` equals the warehouse's (information_schema); with ``exact``
    an extra column fails too. Examples read ``(expected, actual)``: ``('posting_date DATE', 'posting_date VARCHAR')``,
    ``('x_new DECIMAL(38,10)', None)`` (missing), ``(None, 'Extra VARCHAR')`` (not in the contract)."""
    schema, table = relation.split(".", 1)
    contract = values_sql([(c, t) for c, t in expected.items()], ["column_name", "data_type"])
    join = "full outer join" if exact else "left join"
    sql = (
        f"with actual as (select column_name, data_type from information_schema.columns "
        f"where table_schema = {sql_str(schema)} and table_name = {sql_str(table)}), "
        f"contract as (select * from {contract}) "
        f"select c.column_name || ' ' || c.data_type as expected, a.column_name || ' ' || a.data_type as actual "
        f"from contract c {join} actual a on a.column_name = c.column_name order by 1, 2"
    )

    def expectations(_: Columns):
        e = _gx()
        return [
            e.ExpectColumnPairValuesToBeEqual(
                column_A="expected",
                column_B="actual",
                ignore_row_if="neither",
                description=f"columns and types equal {what}"
                + (" (no column missing, none extra)" if exact else " (every required column present)"),
            )
        ]

    return Frame("columns_and_types", sql, expectations)


def placeholder_frame(relation: str, exclude: Iterable[str] = (), empty_allowed: Iterable[str] = ()) -> Frame:
    """No placeholder string ('', 'NULL', 'N/A', 'None', 'NaN', 'undefined', '-') in any text column: the distinct
    short values of every VARCHAR column (UNPIVOT in DuckDB; NULLs are fine), checked with a regex. Examples name
    the column. ``exclude``: columns not checked; ``empty_allowed``: columns where '' is a documented sentinel
    (e.g. a key column dlt makes NOT NULL), other placeholders still fail."""
    skip = set(exclude)
    empty_ok = sorted(set(empty_allowed))
    allow = f" and not (value = '' and column_name in ({', '.join(sql_str(c) for c in empty_ok)}))" if empty_ok else ""

    def sql(columns: Columns) -> str:
        text = [
            c for c, t in columns.items() if t in ("VARCHAR", "JSON") and c not in skip and not c.startswith("_dlt")
        ]
        if not text:
            return "select cast(null as varchar) as column_name, cast(null as varchar) as value where false"
        cols = ", ".join(f"cast({qi(c)} as varchar) as {qi(c)}" for c in text)
        return (
            f"select column_name, value, count(*) as n from (unpivot (select {cols} from {qr(relation)}) "
            f"on {', '.join(qi(c) for c in text)} into name column_name value value) "
            f"where length(value) <= {PLACEHOLDER_MAX_LENGTH}{allow} group by all order by 1, 2"
        )

    def expectations(_: Columns):
        return [
            _gx().ExpectColumnValuesToNotMatchRegex(
                column="value",
                regex=PLACEHOLDER_PATTERN,
                description="no placeholder string ('', 'NULL', 'N/A', 'None', 'NaN', '-') instead of NULL",
            )
        ]

    return Frame("placeholders", sql, expectations, index=("column_name", "n"))


def currency_frame(relation: str, currency_columns: Sequence[str]) -> Frame:
    """Every currency column holds an active ISO 4217 code (:data:`ISO_4217_CODES`): its distinct values."""

    def sql(columns: Columns) -> str:
        present = [c for c in currency_columns if c in columns]
        if not present:
            return "select cast(null as varchar) as column_name, cast(null as varchar) as code where false"
        parts = [
            f"select {sql_str(c)} as column_name, cast({qi(c)} as varchar) as code, count(*) as n "
            f"from {qr(relation)} where {qi(c)} is not null group by all"
            for c in present
        ]
        return " union all ".join(parts) + " order by 1, 2"

    def expectations(_: Columns):
        return [
            _gx().ExpectColumnValuesToBeInSet(
                column="code",
                value_set=sorted(ISO_4217_CODES),
                description=f"currencies ({', '.join(currency_columns)}) are active ISO 4217 codes",
            )
        ]

    return Frame("iso_currencies", sql, expectations, index=("column_name", "n"))


def duplicates_frame(relation: str, key: Sequence[str], what: str = "natural key") -> Frame:
    """The natural key is unique. DuckDB keeps only the rows whose key occurs more than once (NULL equal to NULL,
    as a merge key treats it); GX checks the compound key on them, so clean data reads no row and a duplicate shows
    its key values."""
    keys = ", ".join(qi(k) for k in key)
    sql = f"select {keys} from {qr(relation)} qualify count(*) over (partition by {keys}) > 1 order by {keys}"

    def expectations(_: Columns):
        e = _gx()
        desc = f"{what} ({', '.join(key)}) is unique"
        if len(key) == 1:
            return [e.ExpectColumnValuesToBeUnique(column=key[0], description=desc)]
        return [e.ExpectCompoundColumnsToBeUnique(column_list=list(key), ignore_row_if="never", description=desc)]

    return Frame(f"unique_{'_'.join(key)}"[:60], sql, expectations)


def not_null_expectations(columns: Sequence[str]) -> list:
    e = _gx()
    return [e.ExpectColumnValuesToNotBeNull(column=c, description=f"{c} is never NULL") for c in columns]


def date_window_expectations(columns: Sequence[str], what: str = "") -> list:
    """Each date column (read as DATE) lies in EARLIEST_DATE .. today + FUTURE_DAYS."""
    e = _gx()
    lo, hi = today_window()
    return [
        e.ExpectColumnValuesToBeBetween(
            column=c,
            min_value=lo,
            max_value=hi,
            description=f"{c}{' ' + what if what else ''} between {lo} and today + {FUTURE_DAYS} days ({hi})",
        )
        for c in columns
    ]


def condition(column: str):
    """``great_expectations.expectations.row_conditions.Column`` (imported lazily)."""
    return _cond()(column)


def expectations_module():
    """``great_expectations.expectations`` (imported lazily: GX is slow to import)."""
    return _gx()


@dataclass(frozen=True)
class SuiteSet:
    """The suites of the warehouse, with look-ups by relation (what the Dagster wiring iterates)."""

    suites: tuple[Suite, ...]
    by_relation: dict[str, tuple[Suite, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, suites: Iterable[Suite]) -> SuiteSet:
        suites = tuple(suites)
        ids = [s.id for s in suites]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate suite ids: {dupes}")
        by: dict[str, list[Suite]] = {}
        for s in suites:
            by.setdefault(s.relation, []).append(s)
        return cls(suites, {k: tuple(v) for k, v in by.items()})
