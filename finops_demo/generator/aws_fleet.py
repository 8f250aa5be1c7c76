"""The AWS fleet of one payer: which resources exist (id, SKU, team, environment, tags, account, base quantity,
Savings Plan / RI coverage), drawn from ``AWS_SKUS``.

Resource i is the same in every month and every delivery (same id, SKU, team, tags): the draws use a
month-independent stream, so a month with a larger budget only has a few more resources. Only the quantities
change per month (``aws_usage.quantities``). The traffic companions (a SageMaker endpoint's data processed, a GPU
instance's data transfer out) follow the fleet, on the same resource ids.
"""

from __future__ import annotations

import numpy as np

from .aws_catalog import AWS_SKUS, SKU_INDEX, AwsSku
from .enterprise import (
    TEAM_BY_PROJECT,
    AwsPayer,
    Resource,
    Team,
    account_for,
    hash64,
    id_chars,
    tag_style,
    urand,
)

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fleet_stream(payer: AwsPayer) -> int:
    """The payer's month-independent random stream of the fleet."""
    return 300 + (0 if payer.payer_id.startswith("2") else 5000)


def make_fleet(payer: AwsPayer, seed: int, commitment: str, teams: tuple[str, ...] | None, n: int) -> list[Resource]:
    """The first ``n`` resources of the payer's fleet, then their traffic companions.

    ``commitment``: "sp" (Savings Plan: covers prod resources of SKUs with an SP rate) or "ri" (Reserved Instances:
    covers prod m5.xlarge); ``teams``: restrict the SKUs (and teams) to these projects."""
    st = fleet_stream(payer) + 17
    acct_index = {a.id: i for i, a in enumerate(payer.members)}
    idx = np.arange(n)
    u_sku, u_team, u_env, u_tag, u_qty, u_cov = (urand(seed, st + k, idx) for k in range(6))
    hexs = id_chars(hash64(seed, st + 6, idx), 17, _HEX)
    cdf = _sku_cdf(teams)
    allowed = set(teams) if teams else None
    out = []
    for i in range(n):
        si = min(int(np.searchsorted(cdf, u_sku[i], side="right")), len(AWS_SKUS) - 1)
        s = AWS_SKUS[si]
        candidates = [t for t in s.teams if allowed is None or t in allowed] or list(s.teams)
        team = TEAM_BY_PROJECT[candidates[int(u_team[i] * len(candidates))]]
        env = "prod" if u_env[i] < 0.65 else "dev"
        acct = account_for(payer, team.business_unit, env)
        rid = _resource_id(s, hexs[i].tobytes().decode(), team, env, acct.id, f"{i:04d}")
        out.append(
            Resource(
                si,
                team,
                env,
                tag_style(u_tag[i]),
                rid,
                rid.rsplit("/", 1)[-1],
                float(_base_qty(s, u_qty[i])),
                acct_index[acct.id],
                _covered(s, env, u_cov[i], commitment),
                {"az": s.region + ("a" if u_qty[i] < 0.5 else "b")},
            )
        )
    return out + _companions(out, urand(seed, st + 8, idx))


def _sku_cdf(teams: tuple[str, ...] | None) -> np.ndarray:
    """Cumulative SKU weights (SKUs no allowed team uses weigh nothing)."""
    if teams:
        allowed = set(teams)
        weights = np.array([s.weight if set(s.teams) & allowed else 0.0 for s in AWS_SKUS])
    else:
        weights = np.array([s.weight for s in AWS_SKUS], dtype=float)
    return np.cumsum(weights) / weights.sum()


def _resource_id(s: AwsSku, h: str, team: Team, env: str, account_id: str, n_str: str) -> str:
    """The resource id AWS would write for a resource of SKU ``s`` (``h``: its random hex characters)."""
    region = s.region
    if s.kind == "instance" and s.product_code == "AmazonEC2":
        return f"i-0{h}"
    if s.key == "ebs-gp3":
        return f"vol-0{h}"
    if s.product_code == "AmazonS3":
        return f"nw-{team.project}-{env}-{n_str}"
    if s.product_code == "AmazonRDS":
        return f"arn:aws:rds:{region}:{account_id}:db:{team.project}-{env}-{n_str}"
    if s.key == "dto":
        return f"i-0{h}"
    if s.product_code == "AmazonBedrock":
        return f"arn:aws:bedrock:{region}:{account_id}:application-inference-profile/{h[:12]}"
    if s.product_code == "AmazonSageMaker":
        return f"arn:aws:sagemaker:{region}:{account_id}:endpoint/{team.project}-{env}-ep{n_str}"
    return f"arn:aws:lambda:{region}:{account_id}:function:{team.project}-{env}-fn{n_str}"


def _base_qty(s: AwsSku, u: float):
    """Hourly base quantity in the SKU's range (storage: whole GB provisioned)."""
    if s.kind == "storage":
        return round(s.qty_lo + (s.qty_hi - s.qty_lo) * u**2, 0)
    return s.qty_lo + (s.qty_hi - s.qty_lo) * u**2


def _covered(s: AwsSku, env: str, u: float, commitment: str) -> bool:
    if commitment == "sp":
        return bool(s.sp_rate) and env == "prod" and u < 0.55
    return s.key == "ec2-m5x" and env == "prod" and u < 0.8


def _companions(fleet: list[Resource], u_comp: np.ndarray) -> list[Resource]:
    """Traffic lines (data processed / transferred) on the same resource ids as their parents."""
    out = []
    for i, r in enumerate(fleet):
        comp = AWS_SKUS[r.sku].companion
        if comp is None:
            continue
        c = AWS_SKUS[SKU_INDEX[comp]]
        qty = c.qty_lo + (c.qty_hi - c.qty_lo) * u_comp[i] ** 2
        out.append(
            Resource(
                SKU_INDEX[comp],
                r.team,
                r.env,
                r.tag_style,
                r.rid,
                r.name,
                float(qty),
                r.account,
                False,
                {"az": r.extra["az"], "parent": i},
            )
        )
    return out
