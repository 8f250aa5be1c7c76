"""The synthetic enterprise "Northwind Robotics" and the deterministic random helpers.

Everything random in the demo generator is derived from a counter-based hash
(splitmix64 of ``seed``, a stream id and a row counter), so a value depends only on
*which* row it belongs to, never on batch size or call order. That makes the output
byte-identical for a seed and lets the generators recompute any row without state.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

COMPANY = "Northwind Robotics"
DOMAIN = "northwind-robotics.com"

# Fixed billing months (never "today"): September is the month that gets restated.
MONTHS = ("2026-09", "2026-10")
RESTATED_MONTH = "2026-09"

# --------------------------------------------------------------------------------------
# deterministic random numbers
# --------------------------------------------------------------------------------------
_M64 = (1 << 64) - 1


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def hash64(seed: int, stream: int, idx: np.ndarray) -> np.ndarray:
    """uint64 hash of (seed, stream, idx) for every element of ``idx``."""
    base = _splitmix(np.array([(seed * 1_000_003 + stream * 7_919 + 12_345) & _M64], dtype=np.uint64))[0]
    return _splitmix(np.asarray(idx, dtype=np.uint64) ^ base)


def urand(seed: int, stream: int, idx: np.ndarray) -> np.ndarray:
    """Uniform floats in [0, 1) keyed by (seed, stream, idx)."""
    return (hash64(seed, stream, idx) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


_B32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def id_chars(h: np.ndarray, n_chars: int = 13, alphabet: np.ndarray = _B32) -> np.ndarray:
    """Turn uint64 hashes into a (len, n_chars) uint8 matrix of id characters."""
    bits = 5 if len(alphabet) == 32 else 4
    shifts = (np.arange(n_chars, dtype=np.uint64) * np.uint64(bits)) % np.uint64(64 - bits)
    digits = (h[:, None] >> shifts[None, :]) & np.uint64(len(alphabet) - 1)
    return alphabet[digits.astype(np.intp)]


def py_rand(seed: int, stream: int, i: int) -> float:
    return float(urand(seed, stream, np.array([i]))[0])


def py_hex(seed: int, stream: int, i: int, n: int = 17) -> str:
    return id_chars(hash64(seed, stream, np.array([i])), n, _HEX).tobytes().decode()


def py_uuid(seed: int, stream: int, i: int) -> str:
    h = py_hex(seed, stream, i, 16) + py_hex(seed, stream + 1, i, 16)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


# --------------------------------------------------------------------------------------
# calendar
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Month:
    ym: str  # "2026-09"

    @property
    def year(self) -> int:
        return int(self.ym[:4])

    @property
    def month(self) -> int:
        return int(self.ym[5:7])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def hours(self) -> int:
        return self.days * 24

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        y, m = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return dt.datetime(y, m, 1, tzinfo=dt.UTC)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month

    @property
    def compact(self) -> str:  # 202609
        return self.ym.replace("-", "")

    @property
    def range_folder(self) -> str:  # 20260901-20261001 (legacy CUR) style
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @property
    def azure_range_folder(self) -> str:  # 20260901-20260930 (Azure exports v2 style)
        last = self.end - dt.timedelta(days=1)
        return f"{self.start:%Y%m%d}-{last:%Y%m%d}"

    def start_epoch_ms(self) -> int:
        return int(self.start.timestamp() * 1000)


# --------------------------------------------------------------------------------------
# the company
# --------------------------------------------------------------------------------------
BUSINESS_UNITS = ("research", "product", "platform", "marketing", "finance")


@dataclass(frozen=True)
class Team:
    project: str
    business_unit: str
    cost_center: str
    owner: str
    ai: bool


TEAMS: tuple[Team, ...] = (
    Team("support-copilot", "product", "CC-1100", f"maya.chen@{DOMAIN}", True),
    Team("doc-search", "product", "CC-1100", f"liam.okafor@{DOMAIN}", True),
    Team("robot-vision", "research", "CC-2100", f"sofia.rossi@{DOMAIN}", True),
    Team("ml-platform", "platform", "CC-3100", f"jonas.weber@{DOMAIN}", True),
    Team("data-lake", "platform", "CC-3200", f"ana.souza@{DOMAIN}", False),
    Team("website", "marketing", "CC-4100", f"tom.becker@{DOMAIN}", False),
    Team("fraud-model", "finance", "CC-5100", f"priya.raman@{DOMAIN}", True),
    Team("forecasting", "finance", "CC-5200", f"omar.haddad@{DOMAIN}", False),
)
TEAM_BY_PROJECT = {t.project: t for t in TEAMS}
ENVIRONMENTS = ("prod", "dev")


@dataclass(frozen=True)
class AwsAccount:
    id: str
    name: str
    business_unit: str
    env: str


@dataclass(frozen=True)
class AwsPayer:
    payer_id: str
    payer_name: str
    legal_entity: str
    tax_type: str
    tax_rate: float
    members: tuple[AwsAccount, ...]
    invoice_prefix: str


AWS_MAIN = AwsPayer(
    payer_id="210987654321",
    payer_name="northwind-management",
    legal_entity="Amazon Web Services, Inc.",
    tax_type="USSalesTax",
    tax_rate=0.0625,
    invoice_prefix="2026",
    members=(
        AwsAccount("210987654321", "northwind-management", "finance", "prod"),
        AwsAccount("310000000011", "nw-product-prod", "product", "prod"),
        AwsAccount("310000000012", "nw-product-dev", "product", "dev"),
        AwsAccount("310000000021", "nw-research", "research", "dev"),
        AwsAccount("310000000031", "nw-platform-prod", "platform", "prod"),
        AwsAccount("310000000032", "nw-platform-dev", "platform", "dev"),
        AwsAccount("310000000041", "nw-marketing", "marketing", "prod"),
        AwsAccount("310000000051", "nw-finance", "finance", "prod"),
    ),
)
# the subsidiary, delivered as a legacy CUR from its own payer
AWS_SUBSIDIARY = AwsPayer(
    payer_id="420000000001",
    payer_name="northwind-canada-payer",
    legal_entity="Amazon Web Services Canada, Inc.",
    tax_type="Canada Tax",
    tax_rate=0.13,
    invoice_prefix="CA26",
    members=(
        AwsAccount("420000000001", "northwind-canada-payer", "finance", "prod"),
        AwsAccount("420000000002", "nwca-robotics-prod", "research", "prod"),
        AwsAccount("420000000003", "nwca-robotics-dev", "research", "dev"),
        AwsAccount("420000000004", "nwca-product", "product", "prod"),
    ),
)
# a third AWS account that only delivers the AWS FOCUS 1.2 export
AWS_FOCUS_ACCOUNT = AwsAccount("530000000001", "northwind-edge", "product", "prod")


def account_for(payer: AwsPayer, bu: str, env: str) -> AwsAccount:
    for a in payer.members[1:]:
        if a.business_unit == bu and a.env == env:
            return a
    for a in payer.members[1:]:
        if a.business_unit == bu:
            return a
    return payer.members[1]


def tags_for(team: Team, env: str, style: str = "full") -> dict[str, str]:
    """Logical tag set (unprefixed keys). style: full | partial | none."""
    if style == "none":
        return {}
    if style == "partial":
        return {"project": team.project, "environment": env}
    return {
        "business_unit": team.business_unit,
        "cost_center": team.cost_center,
        "project": team.project,
        "environment": env,
        "owner": team.owner,
    }


_SYNONYMS = {"prod": "Production", "dev": "Development"}


def messy_tags(tags: dict[str, str], u: float) -> dict[str, str]:
    """The tag set as people and tools really write it, for a deterministic minority of resources (``u`` is a
    uniform number fixed per resource; u >= 0.2 leaves the set as it is). Only tag text changes: alias keys
    (``CostCenter``, ``BU``, ``Environment``), synonyms (``Production``), case and stray whitespace, owner
    emails in mixed case, and a placeholder owner (``n/a``, i.e. no owner). The allocation seeds
    (dbt_project/seeds/allocation: tag_key_aliases, tag_value_rules) normalise every variant back to the
    values of :func:`tags_for`."""
    if not tags or u >= 0.2:
        return dict(tags)
    out = dict(tags)
    variant = int(u / 0.04)  # 0..4, ~4 % of resources each
    if variant == 0:  # alias keys, value case
        if "cost_center" in out:
            out["CostCenter"] = out.pop("cost_center")
        if "business_unit" in out:
            out["BU"] = out.pop("business_unit").title()
    elif variant == 1:  # a capitalised key with a synonym value
        if "environment" in out:
            out["Environment"] = _SYNONYMS[out.pop("environment")]
    elif variant == 2:  # stray whitespace and case
        if "environment" in out:
            out["environment"] = " " + out["environment"].upper()
        if "cost_center" in out:
            out["cost_center"] = out["cost_center"].lower() + " "
    elif variant == 3:  # typed by hand
        if "owner" in out:
            out["owner"] = out["owner"].title()
        if "project" in out:
            out["project"] = out["project"].title()
    else:  # a placeholder instead of an owner
        if "owner" in out:
            out["owner"] = "n/a"
    return out


@dataclass
class Resource:
    """One billable thing (instance, bucket, endpoint, token meter ...)."""

    sku: int
    team: Team
    env: str
    tag_style: str
    rid: str
    name: str
    qty: float  # hourly quantity (or per-slot base)
    account: int = 0  # index into an account list of the provider
    covered: bool = False
    extra: dict = field(default_factory=dict)


def tag_style(u: float) -> str:
    """~78 % fully tagged, ~10 % partially tagged, ~12 % untagged."""
    return "full" if u < 0.78 else ("partial" if u < 0.88 else "none")
