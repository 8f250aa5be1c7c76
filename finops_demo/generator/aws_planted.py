"""The planted waste scenarios of the AWS demo data (main CUR 2.0 payer only) and their rows in a month.

The governance marts must find these from the billing data alone; fixed ids and amounts, independent of the seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .enterprise import TEAM_BY_PROJECT, Month, tags_for


@dataclass(frozen=True)
class PlantedLine:
    """One line series of the planted waste scenarios (CUR 2.0 payer only, written after the fleet's usage rows):
    ``sku`` on resource ``rid`` in usage account ``account`` with user tags ``tags``, billed every day from
    ``first`` to ``last`` (ISO dates, None = open) or on the listed ``days``, ``hours`` hours a day from
    ``start_hour`` (UTC), ``qty`` per hour (``per_month``: ``qty`` per month, e.g. GB-Mo of storage)."""

    scenario: str
    sku: str
    account: str
    rid: str
    tags: tuple[tuple[str, str], ...]
    qty: float
    first: str | None = None
    last: str | None = None
    days: tuple[str, ...] = ()
    start_hour: int = 0
    hours: int = 24
    per_month: bool = False


def _team_tags(project: str, env: str, **more: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**tags_for(TEAM_BY_PROJECT[project], env), **more}.items()))


_SM = "arn:aws:sagemaker:us-east-1"
_PILOT_TAGS = (("environment", "dev"), ("project", "genai-pilot-claims"))  # no owner, no business unit, no cost centre
_TRAINING = (  # (day, hyperparameters_hash, hours): four identical re-runs in October between distinct runs
    ("2026-09-08", "hp-1b77e0", 6),
    ("2026-09-22", "hp-93d5aa", 6),
    ("2026-10-06", "hp-4f2a9c", 6),
    ("2026-10-09", "hp-4f2a9c", 6),
    ("2026-10-13", "hp-4f2a9c", 6),
    ("2026-10-20", "hp-4f2a9c", 6),
    ("2026-10-27", "hp-c08e51", 8),
)
# The waste scenarios the governance marts must find (dbt models/marts/governance: fct_waste_candidates,
# fct_cost_avoidance; seed seeds/governance/waste_actions.csv), and one untagged shared profile. Fixed ids and
# amounts, independent of the seed.
PLANTED: tuple[PlantedLine, ...] = (
    # an idle endpoint: a SageMaker real-time endpoint hosting 24 h a day, no data processed at all
    PlantedLine(
        "idle-endpoint",
        "sm-host-g5",
        "310000000031",
        f"{_SM}:310000000031:endpoint/ml-platform-prod-reranker-v1",
        _team_tags("ml-platform", "prod"),
        1.0,
    ),
    # an idle endpoint acted on: deleted on 2026-10-10 (waste_actions.csv), its cost stops that day
    PlantedLine(
        "acted-on-endpoint",
        "sm-host-g5",
        "310000000011",
        f"{_SM}:310000000011:endpoint/support-copilot-prod-canary",
        _team_tags("support-copilot", "prod"),
        1.0,
        last="2026-10-09",
    ),
    # an abandoned pilot: tagged project genai-pilot-claims without owner; used until 2026-09-14, still billed
    PlantedLine(
        "abandoned-pilot",
        "sm-host-g5",
        "310000000021",
        f"{_SM}:310000000021:endpoint/genai-pilot-claims-ep",
        _PILOT_TAGS,
        1.0,
    ),
    PlantedLine(
        "abandoned-pilot",
        "sm-data-in",
        "310000000021",
        f"{_SM}:310000000021:endpoint/genai-pilot-claims-ep",
        _PILOT_TAGS,
        0.2,
        last="2026-09-14",
    ),
    PlantedLine(
        "abandoned-pilot",
        "bedrock-c35s-in",
        "310000000021",
        "arn:aws:bedrock:us-east-1:310000000021:application-inference-profile/9c1a7e04b2d3",
        _PILOT_TAGS,
        60.0,
        last="2026-09-14",
    ),
    PlantedLine(
        "abandoned-pilot",
        "bedrock-c35s-out",
        "310000000021",
        "arn:aws:bedrock:us-east-1:310000000021:application-inference-profile/9c1a7e04b2d3",
        _PILOT_TAGS,
        12.0,
        last="2026-09-14",
    ),
    PlantedLine(
        "abandoned-pilot", "s3-std", "310000000021", "nw-genai-pilot-claims-data", _PILOT_TAGS, 800.0, per_month=True
    ),
    # not waste, untagged shared services used every day, so that the allocation rules shared-genai-by-tokens and
    # sagemaker-by-transactions always have cost to split, whatever the seed: the GenAI gateway's Bedrock profile and
    # a shared inference endpoint (with its traffic)
    PlantedLine(
        "shared-gateway",
        "bedrock-c35s-in",
        "310000000011",
        "arn:aws:bedrock:us-east-1:310000000011:application-inference-profile/5a7e6a7e3a7e",
        (),
        40.0,
    ),
    PlantedLine(
        "shared-inference", "sm-host-g5", "310000000051", f"{_SM}:310000000051:endpoint/shared-inference-ep", (), 1.0
    ),
    PlantedLine(
        "shared-inference", "sm-data-in", "310000000051", f"{_SM}:310000000051:endpoint/shared-inference-ep", (), 0.5
    ),
    # SageMaker training jobs: the same spec (instance type, hours, hyperparameters) re-run four times in October
    *(
        PlantedLine(
            "training-runs",
            "sm-train-g512x",
            "310000000021",
            f"{_SM}:310000000021:training-job/robot-vision-grasp-ft-{day.replace('-', '')}",
            _team_tags("robot-vision", "dev", hyperparameters_hash=hp),
            1.0,
            days=(day,),
            start_hour=9,
            hours=h,
        )
        for day, hp, h in _TRAINING
    ),
)


def planted_rows(month: Month, hourly: bool) -> list[tuple[PlantedLine, int, float]]:
    """(line, slot, quantity) of every planted row of ``month``, in PLANTED order then slot order; a slot is an
    hour of the month (``hourly``) or a day."""
    out = []
    for p in PLANTED:
        per_hour = p.qty / month.hours if p.per_month else p.qty
        hours = range(p.start_hour, min(p.start_hour + p.hours, 24))
        for d in _billed_days(p, month):
            if hourly:
                out += [(p, d * 24 + h, round(per_hour, 8)) for h in hours]
            else:
                out.append((p, d, round(per_hour * len(hours), 8)))
    return out


def _billed_days(p: PlantedLine, month: Month) -> list[int]:
    """Day indexes of ``month`` on which line ``p`` is billed."""
    first = dt.date.fromisoformat(p.first) if p.first else None
    last = dt.date.fromisoformat(p.last) if p.last else None
    days = {dt.date.fromisoformat(d) for d in p.days}
    out = []
    for d in range(month.days):
        day = month.start.date() + dt.timedelta(days=d)
        if days and day not in days:
            continue
        if (first and day < first) or (last and day > last):
            continue
        out.append(d)
    return out
