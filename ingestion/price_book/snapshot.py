"""Snapshot the list prices of model APIs from ``genai-prices`` into the dbt seed ``model_prices_list.csv``.

Run: ``python -m ingestion.price_book.snapshot [--providers openai,anthropic,aws-bedrock,azure,google]
[--out dbt_project/seeds/price_book/model_prices_list.csv] [--snapshot-date YYYY-MM-DD]``.

One row per vendor x model x token type x validity interval (see README.md for every rule):

* ``valid_from`` / ``valid_to`` (exclusive, empty = open) come from the package's effective-dated ``prices`` list
  (``StartDateConstraint``), resolved exactly as ``ModelInfo.get_prices`` does; the first price is valid from the
  earliest date the package knows (the smallest start date anywhere in its data).
* ``price_per_million`` is the base price; tiers (long-context prices), request variants (batch, service tiers) and
  time-of-day prices are listed in ``conditions``.
* ``model_match`` renders the package's match rule as SQL LIKE patterns (lower case, escape character ``\\``,
  alternatives separated by ``|``); ``model_match_exact`` is false where a regex or an ``and`` clause could only be
  approximated. The package takes the first model that matches: ``match_rank`` keeps that order.
* Output is deterministic for a package version and snapshot date: sorted rows, exact decimal text.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "dbt_project" / "seeds" / "price_book" / "model_prices_list.csv"

# genai-prices provider id -> our canonical vendor name
VENDORS: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "aws": "aws_bedrock",
    "azure": "azure_openai",
    "google": "google_vertex",
}
DEFAULT_PROVIDERS: tuple[str, ...] = tuple(VENDORS)
_ALIASES = {alias: pid for pid, vendor in VENDORS.items() for alias in (pid, vendor, vendor.replace("_", "-"))}
_ALIASES.update({"bedrock": "aws", "vertex": "google", "gemini": "google", "azure-openai": "azure"})

COLUMNS = (
    "vendor",
    "model_id",
    "model_match",
    "model_match_exact",
    "match_rank",
    "token_type",
    "price_per_million",
    "currency",
    "pricing_unit",
    "valid_from",
    "valid_to",
    "conditions",
    "source_provider",
    "source",
    "source_version",
    "snapshot_date",
)
PRICING_UNIT = "1000000 Tokens"
MAX_SCALE = 10  # DECIMAL(38,10)


@dataclass(frozen=True)
class Skipped:
    vendor: str
    model_id: str
    reason: str


# --------------------------------------------------------------------------------------------------- match rules
def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_RE_TOKEN = re.compile(
    r"(?P<dn>\\d\{(?P<n>\d+)\})|(?P<dplus>\\d\+)|(?P<d>\\d)|(?P<esc>\\[^a-zA-Z0-9])|(?P<cls>\[[^\]]+\])"
    r"|(?P<dotstar>\.\*)|(?P<dotplus>\.\+)|(?P<dot>\.)|(?P<lit>[^()|?*+{}\[\]^$\\])"
)


def _regex_to_like(regex: str) -> tuple[str, bool] | None:
    """A simple regex as one LIKE pattern and whether it is exact; None when it cannot be rendered."""
    body, exact = regex, True
    anchored_start = body.startswith("^")
    anchored_end = body.endswith("$") and not body.endswith("\\$")
    body = body[1 if anchored_start else 0 : len(body) - (1 if anchored_end else 0)]
    out, pos = [], 0
    while pos < len(body):
        m = _RE_TOKEN.match(body, pos)
        if not m:
            return None
        kind = m.lastgroup if m.lastgroup != "n" else "dn"
        if m.group("dn"):
            out.append("_" * int(m.group("n")))
            exact = False
        elif kind == "dplus":
            out.append("_%")
            exact = False
        elif kind in ("d", "cls"):
            out.append("_")
            exact = False
        elif kind == "esc":
            out.append(_like_escape(m.group()[1]))
        elif kind == "dotstar":
            out.append("%")
        elif kind == "dotplus":
            out.append("_%")
        elif kind == "dot":
            out.append("_")
        else:
            out.append(_like_escape(m.group().lower()))
        pos = m.end()
    pattern = ("" if anchored_start else "%") + "".join(out) + ("" if anchored_end else "%")
    return re.sub("%+", "%", pattern), exact


def render_match(clause) -> tuple[list[str], bool]:
    """The package's match clause as LIKE patterns (any may match) and whether the rendering is exact."""
    from genai_prices import types as t

    if isinstance(clause, t.ClauseEquals):
        return [_like_escape(clause.equals.lower())], True
    if isinstance(clause, t.ClauseStartsWith):
        return [_like_escape(clause.starts_with.lower()) + "%"], True
    if isinstance(clause, t.ClauseEndsWith):
        return ["%" + _like_escape(clause.ends_with.lower())], True
    if isinstance(clause, t.ClauseContains):
        return ["%" + _like_escape(clause.contains.lower()) + "%"], True
    if isinstance(clause, t.ClauseRegex):
        rendered = _regex_to_like(clause.regex)
        return ([rendered[0]], rendered[1]) if rendered else ([], False)
    if isinstance(clause, t.ClauseOr):
        patterns, exact = [], True
        for sub in clause.or_:
            p, e = render_match(sub)
            patterns += p
            exact = exact and e and bool(p)
        return list(dict.fromkeys(patterns)), exact
    if isinstance(clause, t.ClauseAnd):
        # An intersection is not one LIKE pattern: keep the most specific single-pattern part (approximation).
        parts = [render_match(sub) for sub in clause.and_]
        single = [p[0] for p, _ in parts if len(p) == 1]
        if not single:
            return [], False
        best = max(single, key=lambda p: len(p.replace("%", "").replace("_", "")))
        return [best], False
    raise TypeError(f"unknown genai-prices match clause {type(clause).__name__}")


# -------------------------------------------------------------------------------------------------------- prices
def fmt_decimal(value: Decimal) -> str:
    """Exact plain decimal text (no exponent, no trailing zeros); refuses more than 10 decimal places."""
    if not value.is_finite() or value < 0:
        raise ValueError(f"invalid price {value!r}")
    text = format(value.normalize(), "f")
    if "." in text and len(text.split(".")[1]) > MAX_SCALE:
        raise ValueError(f"price {text} has more than {MAX_SCALE} decimal places (DECIMAL(38,10))")
    return text


def _token_units() -> dict[str, str]:
    """price key -> token_type for every token unit priced per million (input_mtok -> input, ...)."""
    from genai_prices.units import _get_registry  # the package's own unit registry

    reg = _get_registry()
    return {
        u.price_key: u.price_key.removesuffix("_mtok")
        for u in reg.units.values()
        if u.dimensions.get("family") == "tokens" and u.per == 1_000_000 and u.price_key.endswith("_mtok")
    }


def package_epoch(providers) -> date:
    """The earliest date the package knows: the smallest start date of any price or variant in its data."""
    from genai_prices import types as t

    dates = []
    for p in providers:
        for m in p.models:
            for cp in m.prices if isinstance(m.prices, list) else []:
                if isinstance(cp.constraint, t.StartDateConstraint):
                    dates.append(cp.constraint.start_date)
            for v in m.price_variants or []:
                if isinstance(v.constraint, t.StartDateConstraint):
                    dates.append(v.constraint.start_date)
    return min(dates)


def _price_text(value) -> tuple[str, list[tuple[int, str]]]:
    """(base price, [(tier start, tier price)]) of a Decimal or TieredPrices."""
    from genai_prices import types as t

    if isinstance(value, t.TieredPrices):
        return fmt_decimal(value.base), [(tier.start, fmt_decimal(tier.price)) for tier in value.tiers]
    return fmt_decimal(value), []


def _conditions(key: str, standard, variants, tod_prices, interval_end: date | None) -> str:
    from genai_prices import types as t

    parts: list[str] = []
    _, tiers = _price_text(getattr(standard, key))
    parts += [f"above {start} input tokens: {price}" for start, price in tiers]
    for v in variants:
        value = v.prices.__dict__.get(key)
        if value is None:
            continue
        since = ""
        if isinstance(v.constraint, t.StartDateConstraint):
            if interval_end is not None and v.constraint.start_date >= interval_end:
                continue
            since = f" from {v.constraint.start_date.isoformat()}"
        when = ",".join(f"{k}={val}" for k, val in sorted(v.when.items())) + since
        base, vtiers = _price_text(value)
        parts.append(f"{when}: {base}")
        parts += [f"{when}, above {start} input tokens: {price}" for start, price in vtiers]
    for cp in tod_prices:
        value = cp.prices.__dict__.get(key)
        if value is not None:
            c = cp.constraint
            parts.append(f"{c.start_time.isoformat()}-{c.end_time.isoformat()} UTC: {_price_text(value)[0]}")
    return "; ".join(parts)


def model_intervals(model, epoch: date, own_model: bool, token_keys: dict[str, str]):
    """Yield (token_type, price, conditions, valid_from, valid_to) for one model, merged per token type."""
    from genai_prices import types as t

    prices = model.prices if isinstance(model.prices, list) else [t.ConditionalPrice(prices=model.prices)]
    dated = [cp for cp in prices if cp.constraint is None or isinstance(cp.constraint, t.StartDateConstraint)]
    tod = [cp for cp in prices if isinstance(cp.constraint, t.TimeOfDateConstraint)]
    dated = dated or prices[:1]
    # the package ignores price variants when the model is priced through a fallback provider
    variants = list(model.price_variants or []) if own_model else []

    def resolve(day: date):  # ModelInfo.get_prices without request context, time-of-day prices left out
        for cp in reversed(dated):
            if cp.constraint is None or cp.constraint.start_date <= day:
                return cp.prices
        return dated[0].prices

    starts = sorted(
        {epoch}
        | {
            cp.constraint.start_date
            for cp in dated
            if isinstance(cp.constraint, t.StartDateConstraint) and cp.constraint.start_date > epoch
        }
    )
    ends: list[date | None] = [*starts[1:], None]
    open_rows: dict[str, list] = {}
    out = []
    for start, end in zip(starts, ends):
        standard = resolve(start)
        seen = set()
        for key, token_type in token_keys.items():
            value = standard.__dict__.get(key)
            if value is None:
                continue
            seen.add(token_type)
            base, _ = _price_text(value)
            cond = _conditions(key, standard, variants, tod, end)
            row = open_rows.get(token_type)
            if row is not None and row[1] == base and row[2] == cond and row[4] == start:
                row[4] = end  # same price continues: extend the interval
            else:
                row = [token_type, base, cond, start, end]
                open_rows[token_type] = row
                out.append(row)
        for token_type in list(open_rows):
            if token_type not in seen:
                del open_rows[token_type]
    return [tuple(r) for r in out]


# ------------------------------------------------------------------------------------------------------- rows
def resolve_providers(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        key = name.strip().lower()
        if not key:
            continue
        if key not in _ALIASES:
            raise SystemExit(f"unknown provider {name!r}; choose from {', '.join(sorted(_ALIASES))}")
        if _ALIASES[key] not in out:
            out.append(_ALIASES[key])
    return out


def build_rows(
    providers: Sequence[str] = DEFAULT_PROVIDERS,
    snapshot_date: date | None = None,
    skipped: list[Skipped] | None = None,
) -> list[dict[str, str]]:
    """Every list-price row of the given genai-prices providers, sorted."""
    import genai_prices
    from genai_prices import data_snapshot

    snapshot_date = snapshot_date or datetime.now(UTC).date()
    all_providers = data_snapshot.get_snapshot().providers
    by_id = {p.id: p for p in all_providers}
    epoch = package_epoch(all_providers)
    token_keys = _token_units()
    skipped = skipped if skipped is not None else []
    rows: list[dict[str, str]] = []
    for pid in resolve_providers(providers):
        provider, vendor = by_id[pid], VENDORS[pid]
        # the package's search order: the provider's own models, then each fallback provider's models
        search = [(provider, m, True) for m in provider.models]
        for fb in provider.fallback_model_providers or []:
            if fb in by_id:
                search += [(by_id[fb], m, False) for m in by_id[fb].models]
        taken: set[str] = set()
        rank = 0
        for src, model, own in search:
            if model.id in taken:
                skipped.append(Skipped(vendor, model.id, f"fallback from {src.id} shadowed by a model of the same id"))
                continue
            taken.add(model.id)
            rank += 1
            patterns, exact = render_match(model.match)
            if not patterns:
                skipped.append(Skipped(vendor, model.id, "match rule cannot be rendered as LIKE"))
                continue
            intervals = model_intervals(model, epoch, own, token_keys)
            if not intervals:
                skipped.append(Skipped(vendor, model.id, "no per-token price (priced per request, second, ...)"))
            for token_type, price, cond, valid_from, valid_to in intervals:
                rows.append(
                    {
                        "vendor": vendor,
                        "model_id": model.id,
                        "model_match": "|".join(patterns),
                        "model_match_exact": "true" if exact else "false",
                        "match_rank": str(rank),
                        "token_type": token_type,
                        "price_per_million": price,
                        "currency": "USD",
                        "pricing_unit": PRICING_UNIT,
                        "valid_from": valid_from.isoformat(),
                        "valid_to": valid_to.isoformat() if valid_to else "",
                        "conditions": cond,
                        "source_provider": src.id,
                        "source": "genai-prices",
                        "source_version": genai_prices.__version__,
                        "snapshot_date": snapshot_date.isoformat(),
                    }
                )
    rows.sort(key=lambda r: (r["vendor"], r["model_id"], r["token_type"], r["valid_from"]))
    keys = [(r["vendor"], r["model_id"], r["token_type"], r["valid_from"]) for r in rows]
    if len(keys) != len(set(keys)):
        raise AssertionError("duplicate (vendor, model_id, token_type, valid_from) in the snapshot")
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_csv(
    out: str | Path = DEFAULT_OUT,
    providers: Sequence[str] = DEFAULT_PROVIDERS,
    snapshot_date: date | None = None,
    skipped: list[Skipped] | None = None,
) -> int:
    rows = build_rows(providers, snapshot_date, skipped)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_bytes(to_csv(rows))
    tmp.replace(out)
    return len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingestion.price_book.snapshot", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--providers",
        default=",".join(DEFAULT_PROVIDERS),
        help="genai-prices provider ids or our vendor names, comma separated (default: %(default)s)",
    )
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="CSV to write (default: the dbt seed)")
    ap.add_argument(
        "--snapshot-date",
        type=date.fromisoformat,
        default=None,
        help="date stamped on every row (default: today, UTC); pass it to reproduce a snapshot",
    )
    ap.add_argument("--verbose", action="store_true", help="list the models left out and why")
    args = ap.parse_args(argv)
    skipped: list[Skipped] = []
    n = write_csv(args.out, args.providers.split(","), args.snapshot_date, skipped)
    print(
        f"wrote {n} price rows to {args.out}; {len(skipped)} model entries without a per-token price row",
        file=sys.stderr,
    )
    if args.verbose:
        for s in skipped:
            print(f"  {s.vendor} {s.model_id}: {s.reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
