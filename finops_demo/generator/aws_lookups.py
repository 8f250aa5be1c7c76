"""Per-resource and per-SKU lookup arrays of one AWS plan, gathered by the vectorised usage batches.

``build_lookups(plan)`` returns ``(lk, tag_dicts)``: ``lk`` maps a name to an Arrow/numpy array indexed by resource
(``rid``, ``res_sku`` ...) or by SKU (``sku_str``, ``sku_num``), and flat (offsets, keys, values) triples for the
map columns (``tag_*``, ``cc_*``, ``prod_*``); ``tag_dicts`` are the clean tags of each resource (the legacy CUR's
fixed tag columns).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .aws_arrow import STR
from .aws_catalog import (
    AWS_SKUS,
    REGION_NAMES,
    SKU_INDEX,
    fmt_rate,
    instance_family,
    product_map,
    product_sku_id,
)
from .aws_plan import AwsPlan
from .enterprise import messy_tags, tags_for, urand


def build_lookups(plan: AwsPlan) -> tuple[dict, list[dict]]:
    lk = _resource_lookups(plan)
    tag_dicts = _tag_maps(plan, lk)
    lk["sku_str"] = _sku_strings()
    lk["sku_num"] = _sku_numbers()
    lk["prod_off"], lk["prod_k"], lk["prod_v"] = _product_maps()
    return lk, tag_dicts


def _resource_lookups(plan: AwsPlan) -> dict:
    R, accounts = plan.resources, plan.accounts
    return {
        "rid": pa.array([r.rid for r in R], STR),
        "az": pa.array([r.extra["az"] if AWS_SKUS[r.sku].kind == "instance" else None for r in R], STR),
        "acct_id": pa.array([accounts[r.account].id for r in R], STR),
        "acct_name": pa.array([accounts[r.account].name for r in R], STR),
        "res_sku": np.array([r.sku for r in R], dtype=np.int64),
        "res_qty": np.array([r.qty for r in R], dtype=np.float64),
        "res_env_prod": np.array([r.env == "prod" for r in R]),
        "res_acct": np.array([r.account for r in R], dtype=np.int64),
        "res_ai": np.array([AWS_SKUS[r.sku].product_code == "AmazonBedrock" for r in R]),
    }


def _tag_maps(plan: AwsPlan, lk: dict) -> list[dict]:
    """The resource tag and cost category maps into ``lk``; returns the clean tags of each resource.

    CUR 2.0 tags as written by people (a minority messy, see messy_tags); the legacy CUR keeps the clean tag dicts
    (its tag columns are fixed). Own stream: no other random value moves."""
    R = plan.resources
    keys, vals, offs = [], [], [0]
    cc_keys, cc_vals, cc_offs = [], [], [0]
    tag_dicts = []
    u_mess = urand(plan.seed, plan.fleet_stream + 7000, np.arange(len(R)))
    for i, r in enumerate(R):
        t = tags_for(r.team, r.env, r.tag_style)
        tag_dicts.append(t)
        written = messy_tags(t, float(u_mess[r.extra.get("parent", i)]))  # a companion writes its parent's
        for k in sorted(written):
            keys.append("user_" + k)
            vals.append(written[k])
        offs.append(len(keys))
        acct = plan.accounts[r.account]
        cc_keys += ["BusinessUnit", "Environment"]
        cc_vals += [acct.business_unit, acct.env]
        cc_offs.append(len(cc_keys))
    lk["tag_off"] = np.array(offs, dtype=np.int64)
    lk["tag_k"] = pa.array(keys, STR)
    lk["tag_v"] = pa.array(vals, STR)
    lk["cc_off"] = np.array(cc_offs, dtype=np.int64)
    lk["cc_k"] = pa.array(cc_keys, STR)
    lk["cc_v"] = pa.array(cc_vals, STR)
    return tag_dicts


def _sku_strings() -> dict[str, pa.Array]:
    S = AWS_SKUS
    return {
        "product_code": pa.array([s.product_code for s in S]),
        "usage_type": pa.array([s.usage_type for s in S]),
        "operation": pa.array([s.operation for s in S]),
        "unit": pa.array([s.unit for s in S]),
        "rate": pa.array([fmt_rate(s.rate) for s in S]),
        "family": pa.array([s.family for s in S]),
        "instance_type": pa.array([s.instance_type for s in S], STR),
        "instance_family": pa.array([instance_family(s) for s in S], STR),
        "servicecode": pa.array([s.servicecode for s in S]),
        "region": pa.array([s.region for s in S]),
        "location": pa.array([REGION_NAMES[s.region] for s in S]),
        "sku": pa.array([product_sku_id(s) for s in S]),
        "desc": pa.array([s.desc or f"{s.product_name} {s.usage_type}" for s in S]),
        "rate_code": pa.array([f"{product_sku_id(s)}.JRTCKXETXF.6YS6EN2CT7" for s in S]),
        "rate_id": pa.array([str(1000000000 + SKU_INDEX[s.key] * 7919) for s in S]),
    }


def _sku_numbers() -> dict[str, np.ndarray]:
    S = AWS_SKUS
    return {
        "rate": np.array([s.rate for s in S]),
        "sp_rate": np.array([s.sp_rate or 0.0 for s in S]),
        "nf": np.array([s.nf if s.nf else np.nan for s in S]),
        "kind": np.array([{"instance": 0, "storage": 1, "metered": 2}[s.kind] for s in S]),
    }


def _product_maps() -> tuple[np.ndarray, pa.Array, pa.Array]:
    pk, pv, po = [], [], [0]
    for s in AWS_SKUS:
        for k, v in product_map(s):
            pk.append(k)
            pv.append(v)
        po.append(len(pk))
    return np.array(po, dtype=np.int64), pa.array(pk, STR), pa.array(pv, STR)
