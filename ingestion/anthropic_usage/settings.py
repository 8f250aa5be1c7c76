"""Anthropic Admin API usage and cost reports: endpoints, dimensions, defaults, table names and column hints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

DATASET = "anthropic_usage"
SOURCE_NAME = "anthropic_usage"

DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
ANALYTICS_BETA = "analytics-usage-cost-2026-08-24"

# Where the secret lives (named in auth errors; never the value).
ENV_API_KEY = "SOURCES__ANTHROPIC_USAGE__API_KEY"
ENV_ORGANIZATIONS = "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS"
SECRETS_TOML_HINT = (
    "[sources.anthropic_usage] api_key / organizations = [{name, api_key, base_url}] in .dlt/secrets.toml"
)

APIS = ("legacy", "analytics")
BUCKET_WIDTHS = ("1d", "1h")

# endpoint id -> path (relative to base_url)
ENDPOINTS = {
    "messages": "/v1/organizations/usage_report/messages",
    "cost_report": "/v1/organizations/cost_report",
    "claude_code": "/v1/organizations/usage_report/claude_code",
    "analytics_usage": "/v1/organizations/analytics/usage",
    "analytics_cost": "/v1/organizations/analytics/cost",
}

# Dimensions requested (group_by[]) and kept as columns. Every one is part of the natural key.
MESSAGES_DIMENSIONS = ("workspace_id", "api_key_id", "model", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
# grouped by description, the legacy cost report also fills these (they are functions of the description)
COST_DETAIL = ("model", "cost_type", "token_type", "service_tier", "context_window", "inference_geo", "speed")
ANALYTICS_COST_DIMENSIONS = (*MESSAGES_DIMENSIONS, "cost_type", "token_type")

# The analytics API accepts at most 5 group_by[] dimensions (cost_type and token_type not counted): the six usage
# dimensions are read with two requests that share four of them, the join key. An API key belongs to exactly one
# workspace, so for usage made with a key the workspace of the first request attaches exactly to the rows of the
# second (and vice versa when a key's usage has a single inference geo); see helpers.join_split_groups.
ANALYTICS_MAX_GROUP_BY = 5
ANALYTICS_FANOUT = ("cost_type", "token_type")
ANALYTICS_GROUP_BY_SPLIT = (
    ("workspace_id", "api_key_id", "model", "service_tier", "context_window"),
    ("api_key_id", "model", "service_tier", "context_window", "inference_geo"),
)
ANALYTICS_JOIN_KEY = ("api_key_id", "model", "service_tier", "context_window")
# the two reads of a cost split may round fractional cents per row differently: sums agree within this (cents)
ANALYTICS_COST_TOLERANCE_CENTS = Decimal("0.01")
assert all(len(g) <= ANALYTICS_MAX_GROUP_BY for g in ANALYTICS_GROUP_BY_SPLIT)
assert set(ANALYTICS_GROUP_BY_SPLIT[0]) | set(ANALYTICS_GROUP_BY_SPLIT[1]) == set(MESSAGES_DIMENSIONS)
assert set(ANALYTICS_GROUP_BY_SPLIT[0]) & set(ANALYTICS_GROUP_BY_SPLIT[1]) == set(ANALYTICS_JOIN_KEY)

# page sizes (buckets per page for the reports, items per page for the analytics API): the APIs' maxima
MAX_LIMIT = {"1d": 31, "1h": 168}
COST_MAX_LIMIT = 31
CLAUDE_CODE_MAX_LIMIT = 1000
ANALYTICS_MAX_LIMIT = 1000
ANALYTICS_MAX_RANGE_DAYS = 31

DEFAULT_LOOKBACK_DAYS = 3  # vendors restate recent days
DEFAULT_INITIAL_DAYS = 30  # first run without start_date: the last 30 days

TOKEN_UNIT = "tokens"
REQUEST_UNIT = "requests"

# tables
MESSAGES_USAGE = "messages_usage"
COSTS = "costs"
CLAUDE_CODE_USAGE = "claude_code_usage"
CLAUDE_CODE_MODEL_USAGE = "claude_code_model_usage"

BUCKET_MERGE_KEY = ["organization_name", "bucket_starting_at"]
DAY_MERGE_KEY = ["organization_name", "date"]

_TS: dict[str, Any] = {"data_type": "timestamp", "timezone": True, "nullable": False}
_MONEY: dict[str, Any] = {"data_type": "decimal", "precision": 38, "scale": 10}
_TEXT: dict[str, Any] = {"data_type": "text"}
_INT: dict[str, Any] = {"data_type": "bigint"}


def _cols(**spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"name": name, **s} for name, s in spec.items()}


_BUCKET = _cols(
    row_key={"data_type": "text", "nullable": False},
    organization_name={"data_type": "text", "nullable": False},
    api={"data_type": "text", "nullable": False},
    bucket_starting_at=_TS,
    bucket_ending_at=_TS,
    bucket_width={"data_type": "text", "nullable": False},
)

MESSAGES_COLUMNS = {
    **_BUCKET,
    **_cols(**dict.fromkeys(MESSAGES_DIMENSIONS, _TEXT)),
    **_cols(
        uncached_input_tokens=_INT,
        cache_read_input_tokens=_INT,
        cache_creation_5m_input_tokens=_INT,
        cache_creation_1h_input_tokens=_INT,
        output_tokens=_INT,
        token_unit=_TEXT,
        web_search_requests=_INT,
        web_search_unit=_TEXT,
        requests=_INT,
        request_unit=_TEXT,
    ),
}

COSTS_COLUMNS = {
    **_BUCKET,
    **_cols(workspace_id=_TEXT, description=_TEXT, **dict.fromkeys(COST_DETAIL, _TEXT), api_key_id=_TEXT),
    **_cols(
        amount=_MONEY,
        amount_cents=_MONEY,
        amount_cents_raw=_TEXT,
        list_amount=_MONEY,
        list_amount_cents=_MONEY,
        list_amount_cents_raw=_TEXT,
        currency={"data_type": "text", "nullable": False},
        requests=_INT,
    ),
}

CLAUDE_CODE_COLUMNS = _cols(
    row_key={"data_type": "text", "nullable": False},
    organization_name={"data_type": "text", "nullable": False},
    date=_TS,
    actor_type=_TEXT,
    actor_id=_TEXT,
    customer_type=_TEXT,
    terminal_type=_TEXT,
    organization_id=_TEXT,
    num_sessions=_INT,
    lines_added=_INT,
    lines_removed=_INT,
    commits=_INT,
    pull_requests=_INT,
    tool_actions={"data_type": "json"},
)

CLAUDE_CODE_MODEL_COLUMNS = _cols(
    row_key={"data_type": "text", "nullable": False},
    organization_name={"data_type": "text", "nullable": False},
    date=_TS,
    actor_type=_TEXT,
    actor_id=_TEXT,
    customer_type=_TEXT,
    terminal_type=_TEXT,
    model=_TEXT,
    input_tokens=_INT,
    output_tokens=_INT,
    cache_read_tokens=_INT,
    cache_creation_tokens=_INT,
    token_unit=_TEXT,
    estimated_cost=_MONEY,
    estimated_cost_cents=_MONEY,
    estimated_cost_cents_raw=_TEXT,
    currency=_TEXT,
)
