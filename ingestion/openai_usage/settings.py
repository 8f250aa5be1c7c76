"""OpenAI admin Usage and Costs API: endpoints, group-by dimensions, table names, keys and units.

Wire format: ``shared/reference/ai-vendor-apis.md`` section 3.2 (from ``openai/openai-python``'s generated admin
types). One table per endpoint in the dataset :data:`DATASET`.
"""

from __future__ import annotations

from dataclasses import dataclass

DATASET = "openai_usage"
SOURCE_NAME = "openai_usage"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
SECRET_ENV = "SOURCES__OPENAI_USAGE__API_KEY"
ORGS_SECRET_ENV = "SOURCES__OPENAI_USAGE__ORGANIZATIONS"

BUCKET_WIDTHS = {"1d": 86_400, "1h": 3_600}
# buckets per page: (default, max) per width; costs accept 1..180 and only 1d
USAGE_PAGE_LIMIT = {"1d": 31, "1h": 168}
COSTS_PAGE_LIMIT = 180

# columns every table starts with; with the group-by dimensions they form the natural key
BUCKET_KEY = ("organization", "bucket_start_time", "bucket_end_time", "bucket_width")
# delete-insert merge key: a re-fetched bucket replaces every row of that bucket
MERGE_KEY = ("organization", "bucket_start_time")


@dataclass(frozen=True)
class Endpoint:
    name: str  # config name, e.g. "completions"
    path: str  # relative to the base URL
    table: str
    group_by: tuple[str, ...]  # every dimension the API can group by (all are requested)
    quantities: dict[str, str]  # result field -> unit (FOCUS-style unit text)
    bucket_widths: tuple[str, ...] = ("1d", "1h")

    @property
    def primary_key(self) -> tuple[str, ...]:
        return BUCKET_KEY + self.group_by


_TOKEN_DIMS = ("project_id", "user_id", "api_key_id", "model")

USAGE_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "completions",
        "organization/usage/completions",
        "completions_usage",
        _TOKEN_DIMS + ("batch", "service_tier", "api_source"),
        {
            # input_tokens = all input: uncached (text + audio + image) + cached + cache writes
            "input_tokens": "Tokens",
            "output_tokens": "Tokens",
            "input_cached_tokens": "Tokens",
            "input_cache_write_tokens": "Tokens",
            "input_cache_write_30m_tokens": "Tokens",
            "input_cache_write_12h_tokens": "Tokens",
            "input_uncached_tokens": "Tokens",
            "input_text_tokens": "Tokens",
            "input_audio_tokens": "Tokens",
            "input_image_tokens": "Tokens",
            "input_cached_text_tokens": "Tokens",
            "input_cached_audio_tokens": "Tokens",
            "input_cached_image_tokens": "Tokens",
            "output_text_tokens": "Tokens",
            "output_audio_tokens": "Tokens",
            "output_image_tokens": "Tokens",
            "num_model_requests": "Requests",
        },
    ),
    Endpoint(
        "embeddings",
        "organization/usage/embeddings",
        "embeddings_usage",
        _TOKEN_DIMS,
        {"input_tokens": "Tokens", "num_model_requests": "Requests"},
    ),
    Endpoint(
        "moderations",
        "organization/usage/moderations",
        "moderations_usage",
        _TOKEN_DIMS,
        {"input_tokens": "Tokens", "num_model_requests": "Requests"},
    ),
    Endpoint(
        "images",
        "organization/usage/images",
        "images_usage",
        _TOKEN_DIMS + ("size", "source"),
        {"images": "Images", "num_model_requests": "Requests"},
    ),
    Endpoint(
        "audio_speeches",
        "organization/usage/audio_speeches",
        "audio_speeches_usage",
        _TOKEN_DIMS,
        {"characters": "Characters", "num_model_requests": "Requests"},
    ),
    Endpoint(
        "audio_transcriptions",
        "organization/usage/audio_transcriptions",
        "audio_transcriptions_usage",
        _TOKEN_DIMS,
        {"seconds": "Seconds", "num_model_requests": "Requests"},
    ),
    Endpoint(
        "vector_stores",
        "organization/usage/vector_stores",
        "vector_stores_usage",
        ("project_id",),
        {"usage_bytes": "Bytes"},
    ),  # a level (storage held in the bucket), not a flow
    Endpoint(
        "code_interpreter_sessions",
        "organization/usage/code_interpreter_sessions",
        "code_interpreter_sessions_usage",
        ("project_id",),
        {"num_sessions": "Sessions"},
    ),
    Endpoint(
        "file_search_calls",
        "organization/usage/file_search_calls",
        "file_search_calls_usage",
        ("project_id", "user_id", "api_key_id", "vector_store_id"),
        {"num_requests": "Requests"},
    ),
    Endpoint(
        "web_search_calls",
        "organization/usage/web_search_calls",
        "web_search_calls_usage",
        _TOKEN_DIMS + ("context_level", "api_source"),
        {"num_requests": "Requests", "num_model_requests": "Requests"},
    ),
)
COSTS = Endpoint(
    "costs",
    "organization/costs",
    "costs",
    # user_id is offered too, but combining it with project_id "depends on the organization and requested time
    # range; unsupported combinations return HTTP 400" (SDK docs): not requested (per-user spend comes from the
    # usage endpoints, which group by user_id, priced by the price book)
    ("project_id", "line_item", "api_key_id", "api_source"),
    {"quantity": "(per line item)"},
    bucket_widths=("1d",),
)
ENDPOINTS: dict[str, Endpoint] = {e.name: e for e in (*USAGE_ENDPOINTS, COSTS)}

# array query parameters are sent as ``name[]=a&name[]=b``, like the official SDK (openai-python)
ARRAY_PARAM_SUFFIX = "[]"

# boolean dimensions (a missing value is stored as false so that the key has no NULL)
BOOL_DIMS = {"batch"}
MONEY = {"data_type": "decimal", "precision": 38, "scale": 10}
