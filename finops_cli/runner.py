"""Run the whole pipeline through Dagster in process (what `make demo` and `finops run` do)."""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import dagster as dg

from ingestion._common.lock import warehouse_lock
from orchestration.lib.constants import CLOSE_JOB, CLOSE_PACK, CLOSE_PACK_ONLY_JOB, REFRESH_JOB
from orchestration.lib.settings import REPO_ROOT, Settings


def instance() -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME") or str(REPO_ROOT / "dagster_home")
    Path(home).mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = home
    return dg.DagsterInstance.get()


PIPELINE_JOB = REFRESH_JOB  # every asset but the monthly close pack (orchestration/defs/automation/schedules.py)


def run_pipeline(
    selection: str = "*",
    echo=print,
    full_refresh: bool = False,
    log_level: str = "INFO",
    detail_log: bool = False,
) -> bool:
    """Materialize ``selection`` with every check; print what ran and the spend summary. True if all passed
    (governance findings such as a budget breach are reported, never a failure). The run holds the warehouse run
    lock (:mod:`ingestion._common.lock`): a run already in progress on the same warehouse is waited for up to
    ``FINOPS_LOCK_TIMEOUT`` seconds, then :class:`~ingestion._common.lock.WarehouseLockedError` is raised.

    ``detail_log`` (what ``finops run`` does unless ``--verbose``): the console shows one line per finished step,
    the problems and the summary; everything else (Dagster's log at ``log_level``, dbt's output, dlt's and
    dagster-dbt's warnings) goes to :func:`run_log_path`, named at the start and at the end."""
    from orchestration.definitions import defs as load_defs

    from .summary import spend_summary

    settings = Settings.from_env()
    settings.export()
    run_id = str(uuid.uuid4())
    log_path = run_log_path(settings.warehouse, run_id) if detail_log else None
    if log_path:
        echo(f"finops run {run_id}: progress below; the full log (dbt, Dagster, dlt) goes to {log_path}")
    with _detail_to(log_path):  # loading the definitions may run `dbt parse`
        defs = load_defs()
    job = defs.resolve_job_def(PIPELINE_JOB)
    if selection != "*":
        job = dg.define_asset_job("finops_selection", selection=selection).resolve(
            asset_graph=defs.resolve_asset_graph()
        )
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if full_refresh:
        run_config["ops"] = {"finops_dbt": {"config": {"full_refresh": True}}}
    # one run at a time per warehouse (waits up to FINOPS_LOCK_TIMEOUT, else WarehouseLockedError)
    with warehouse_lock(settings.warehouse, "finops run"):
        if log_path:
            progress = StepProgress(total=len(job.graph.nodes))
            job = job.with_logger_defs({**job.loggers, "finops_progress": progress.logger_def()})
            run_config["loggers"]["finops_progress"] = {}
        with _detail_to(log_path):
            result = job.execute_in_process(
                instance=instance(), raise_on_error=False, run_config=run_config, run_id=run_id
            )
        ok, signals = report_run(result, echo)
        if log_path:
            for line in step_failure_lines(result):
                echo(line)
        if Path(settings.warehouse).exists():
            try:
                echo(spend_summary(settings.warehouse))
            except Exception as e:  # noqa: BLE001 - the summary is informative only
                echo(f"(no summary: {e})")
    for line in governance_lines(signals):
        echo(line)
    if log_path:
        noise = f"; {progress.warnings} warnings there" if progress.warnings else ""
        echo(f"\nFull log of run {run_id} (dbt, Dagster, dlt{noise}): {log_path}")
    return ok


def run_log_path(warehouse: str | Path, run_id: str) -> Path:
    """Where ``finops run`` writes the detail of run ``run_id``: ``<warehouse dir>/logs/finops-run-<run id>.log``."""
    return Path(warehouse).resolve().parent / "logs" / f"finops-run-{run_id}.log"


@contextmanager
def _detail_to(path: Path | None):
    """Send what would reach the console (``sys.stdout``/``sys.stderr``, and the log handlers already writing to
    them: the CLI's, dlt's) to the file ``path`` (appended) for the block; nothing changes when ``path`` is None.
    dbt's output reaches the console only through dagster-dbt's ``sys.stdout`` writes (its process is piped)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    consoles = {id(s) for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__) if s is not None}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    with open(path, "a", encoding="utf-8", errors="replace") as log:
        handlers = [
            (h, h.stream)
            for lg in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
            for h in getattr(lg, "handlers", [])
            if isinstance(h, logging.StreamHandler) and id(getattr(h, "stream", None)) in consoles
        ]
        for h, _ in handlers:
            h.setStream(log)
        try:
            with redirect_stdout(log), redirect_stderr(log):
                yield
        finally:
            for h, stream in handlers:
                h.setStream(stream)


class StepProgress:
    """The console's view of a run: one line per finished step (``[ 3/41] ingest_aws_cur  ok  12.3s  2 assets``),
    a line a minute for a step still running with what it did so far (the dbt build), a failed step (its error
    is in the end summary), and the ERROR/WARNING messages of the steps. Not repeated here: the governance
    findings (the end summary has them) and dagster-dbt's warnings about dbt tests outside Dagster's asset check
    selection (counted; they are in the log file). Receives the run's log records through a Dagster logger."""

    HEARTBEAT_SECONDS = 60.0
    NOISE = ("Logging an `AssetObservation` instead of an `AssetCheckResult`",)

    def __init__(self, total: int):
        self.stream = sys.stdout  # the console, before the run's output goes to the log file
        self.total = total
        self.done = 0
        self.warnings = 0
        self.steps: dict[str, dict] = {}

    def say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def logger_def(self) -> dg.LoggerDefinition:
        progress = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                try:
                    progress.handle(record)
                except Exception:  # noqa: BLE001 - the progress display never breaks a run
                    pass

        @dg.logger(description="finops run: progress and problems on the console (the rest goes to the log file)")
        def finops_progress(_init_context):
            lg = logging.Logger("finops.progress", level=logging.DEBUG)
            lg.addHandler(Handler())
            return lg

        return finops_progress

    def handle(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        now = time.monotonic()
        if event is None:
            if record.levelno >= logging.WARNING:
                message = str(meta.get("orig_message") or record.getMessage())
                if message.startswith(self.NOISE) or message.startswith(("[ERROR] ", "[WARN] ")):
                    self.warnings += 1  # dagster-dbt's, or a governance finding (in the end summary)
                else:
                    first = message.strip().splitlines()[0][:300] if message.strip() else ""
                    self.say(f"  {logging.getLevelName(record.levelno).lower()} in {step or 'the run'}: {first}")
            return
        kind = event.event_type_value
        if not step:
            return  # the run's own events (start, success or failure): the end summary tells
        state = self.steps.setdefault(step, {"start": now, "said": now, "assets": 0, "checks": 0})
        if kind == "STEP_START":
            state["start"] = state["said"] = now
        elif kind == "ASSET_MATERIALIZATION":
            state["assets"] += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            state["checks"] += 1
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            self.done += 1
            width = len(str(self.total))
            what = ", ".join(f"{state[k]} {k if state[k] != 1 else k[:-1]}" for k in ("assets", "checks") if state[k])
            status = "ok" if kind == "STEP_SUCCESS" else "FAILED"
            self.say(
                f"  [{self.done:>{width}}/{self.total}] {step}  {status}  {now - state['start']:.1f}s"
                + (f"  {what}" if what else "")
            )
            return
        if now - state["said"] >= self.HEARTBEAT_SECONDS:
            state["said"] = now
            self.say(
                f"      {step} running {int(now - state['start']) // 60} min: "
                f"{state['assets']} assets, {state['checks']} checks so far"
            )


def _error_text(err) -> str:
    """The user's error under Dagster's wrapper (a step failure's ``SerializableErrorInfo``), one line."""
    while err is not None and err.cause is not None:
        err = err.cause
    return " ".join((err.message if err else "").split())


def step_failure_lines(result) -> list[str]:
    """One line per failed step of a run, with the user's error."""
    return [
        f"  step {e.step_key} failed: {_error_text(e.event_specific_data.error)[:600]}"
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]


def report_run(result, echo=print) -> tuple[bool, list]:
    """Print the run's outcome: data-quality checks passed, vendor API loads, failed checks. Governance checks
    (metadata ``finops_signal: governance``) are business signals: counted apart and returned, never a failure.
    Returns (run succeeded and no ERROR data-quality check failed, governance check evaluations)."""
    from orchestration.defs.governance.checks import is_governance_signal

    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    signals = [c for c in evaluations if is_governance_signal(c)]
    checks = [c for c in evaluations if not is_governance_signal(c)]
    passed = sum(1 for c in checks if c.passed)
    failed = [c for c in checks if not c.passed]
    raised = [c for c in signals if not c.passed]
    mats = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    echo(
        f"Dagster run {result.run_id}: {'SUCCESS' if result.success else 'FAILED'}; "
        f"{len(mats)} assets materialized; checks passed {passed}/{len(checks)}"
        + (f"; governance findings in {len(raised)} of {len(signals)} governance checks" if signals else "")
    )
    for line in api_load_lines(mats):
        echo(f"  {line}")
    for c in failed:
        echo(
            f"  FAILED check {c.asset_key.to_user_string()}:{c.check_name} "
            f"({c.severity.value}) {(c.description or '')[:300]}"
        )
    errors = [c for c in failed if c.severity == dg.AssetCheckSeverity.ERROR]
    return result.success and not errors, signals


def governance_lines(signals) -> list[str]:
    """The governance findings of a run, for people (business signals: they do not fail the run)."""
    if not signals:
        return []
    out = ["\nGovernance findings (business signals, not failures: they never fail the run):"]
    for c in sorted(signals, key=lambda c: (c.passed, c.check_name)):
        level = "ok" if c.passed else c.severity.value
        lines = (c.description or "").splitlines() or [""]
        out.append(f"  {c.asset_key.to_user_string()}:{c.check_name} [{level}] {lines[0]}")
        out += [f"    {line}" for line in lines[1:]]
    return out


def run_close(
    period: str,
    pack_only: bool = False,
    echo=print,
    log_level: str = "INFO",
    defs: dg.Definitions | None = None,
    dagster_instance: dg.DagsterInstance | None = None,
) -> bool:
    """Run the monthly close of billing month ``period`` (partition ``YYYY-MM`` of job ``monthly_close``): re-build
    the finance and governance marts, write the close pack; print what ran and where the pack is. True if it
    succeeded and no ERROR data-quality check failed (governance findings never fail it). ``defs`` and
    ``dagster_instance`` default to the project's definitions and the DAGSTER_HOME instance."""
    from orchestration.definitions import defs as load_defs
    from orchestration.defs.governance.close import billing_months

    keys = billing_months.get_partition_keys()
    if period not in keys:
        raise ValueError(
            f"{period!r} is not a closable billing month: YYYY-MM from {keys[0]} to {keys[-1]} "
            "(the last complete month)"
            if keys
            else f"no closable billing month yet ({period!r})"
        )
    settings = Settings.from_env()
    settings.export()
    defs = defs or load_defs()
    job = defs.resolve_job_def(CLOSE_PACK_ONLY_JOB if pack_only else CLOSE_JOB)
    with warehouse_lock(settings.warehouse, f"finops close {period}"):
        result = job.execute_in_process(
            instance=dagster_instance or instance(),
            raise_on_error=False,
            partition_key=period,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    ok, signals = report_run(result, echo)
    pack = [
        e.event_specific_data.materialization
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and e.event_specific_data.materialization.asset_key == CLOSE_PACK
    ]
    if pack:
        meta = {k: getattr(v, "value", v) for k, v in pack[0].metadata.items()}
        echo(
            f"Close pack {period}: {meta.get('close_dir')}"
            + ("" if meta.get("period_complete") else f" (provisional: data as of {meta.get('as_of_date')})")
        )
        rows = meta.get("rows") or {}
        for name, n in rows.items():
            echo(f"  {name:<28} {n:>6,} rows")
        for name in meta.get("files") or {}:
            if name.endswith(".xlsx"):
                echo(f"  {name:<28} workbook: summary, journal, budget vs actual, reconciliation")
        for journal, amount in (meta.get("journal_debits_eq_credits") or {}).items():
            echo(f"  {journal}: debits = credits = {_amount(amount)}")
        echo(
            f"  reconciliation: {_counts(meta.get('reconciliation_status'))}; "
            f"budgets: {_counts(meta.get('budget_status'))}"
        )
    else:
        echo(f"No close pack written for {period}.")
        ok = False
    for e in result.all_events:
        if e.event_type_value == "STEP_FAILURE":
            err = e.event_specific_data.error
            while err is not None and err.cause is not None:  # the user's error under Dagster's wrapper
                err = err.cause
            echo(f"  step {e.step_key} failed: {(err.message if err else '').strip()[:600]}")
    for line in governance_lines(signals):
        echo(line)
    return ok


def _amount(text) -> str:
    """A decimal amount from the pack's metadata (a string) with thousands separators and two decimals."""
    from decimal import Decimal, InvalidOperation

    try:
        return f"{Decimal(str(text)):,.2f}"
    except InvalidOperation:
        return str(text)


def _counts(counts) -> str:
    """{"matched": 23, "unexplained": 6} as ``23 matched, 6 unexplained`` (``-`` for none)."""
    return ", ".join(f"{n} {k}" for k, n in sorted((counts or {}).items())) or "-"


def api_load_lines(materializations) -> list[str]:
    """One line per vendor API dataset materialized: the load report's own summary (``load_summary`` metadata of the
    vendor-API and SaaS-invoice assets: organisations or vendors and rows loaded, or what to configure)."""
    seen: dict[str, str] = {}
    for e in materializations:
        m = e.event_specific_data.materialization
        meta = {k: getattr(v, "value", v) for k, v in m.metadata.items()}
        dataset = m.asset_key.path[0]
        if "load_summary" in meta and dataset not in seen:
            seen[dataset] = meta["load_summary"]
    return [seen[k] for k in sorted(seen)]
