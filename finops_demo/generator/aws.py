"""AWS line-item generator shared by CUR 2.0 (Parquet / CSV) and the legacy CUR writer.

Rows of one billing month are laid out slot-major: every time slot (hour, or day for
small budgets) holds one usage row per resource, plus one ``SavingsPlanNegation`` row per
Savings-Plan-covered resource. The fleet (resource ids, SKUs, teams, tags) is the same in
every month; SageMaker endpoints and GPU instances also carry their traffic line (data
processed / transferred) on the same resource id. Tail rows (the planted waste scenarios of
``PLANTED`` on the main payer, Savings Plan fees / RI fees, credit, refund, tax) are computed
from running totals and written last, so memory stays bounded and the row count is exactly
the requested budget.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .enterprise import (
    TEAM_BY_PROJECT,
    AwsPayer,
    Month,
    Resource,
    account_for,
    hash64,
    id_chars,
    messy_tags,
    py_hex,
    py_rand,
    tag_style,
    tags_for,
    urand,
)

STR, DBL = pa.string(), pa.float64()
TS = pa.timestamp("ms", tz="UTC")
MAP_SS = pa.map_(STR, STR)
MAP_SD = pa.map_(STR, DBL)

# CUR 2.0 (Data Exports table COST_AND_USAGE_REPORT) column set, snake_case as AWS writes it.
CUR2_SCHEMA = pa.schema([
    ("bill_bill_type", STR), ("bill_billing_entity", STR), ("bill_billing_period_end_date", TS),
    ("bill_billing_period_start_date", TS), ("bill_invoice_id", STR), ("bill_invoicing_entity", STR),
    ("bill_payer_account_id", STR), ("bill_payer_account_name", STR),
    ("cost_category", MAP_SS), ("discount", MAP_SD), ("discount_bundled_discount", DBL),
    ("discount_total_discount", DBL),
    ("identity_line_item_id", STR), ("identity_time_interval", STR),
    ("line_item_availability_zone", STR), ("line_item_blended_cost", DBL), ("line_item_blended_rate", STR),
    ("line_item_currency_code", STR), ("line_item_legal_entity", STR), ("line_item_line_item_description", STR),
    ("line_item_line_item_type", STR), ("line_item_net_unblended_cost", DBL), ("line_item_net_unblended_rate", STR),
    ("line_item_normalization_factor", DBL), ("line_item_normalized_usage_amount", DBL),
    ("line_item_operation", STR), ("line_item_product_code", STR), ("line_item_resource_id", STR),
    ("line_item_tax_type", STR), ("line_item_unblended_cost", DBL), ("line_item_unblended_rate", STR),
    ("line_item_usage_account_id", STR), ("line_item_usage_account_name", STR), ("line_item_usage_amount", DBL),
    ("line_item_usage_end_date", TS), ("line_item_usage_start_date", TS), ("line_item_usage_type", STR),
    ("pricing_currency", STR), ("pricing_lease_contract_length", STR), ("pricing_offering_class", STR),
    ("pricing_public_on_demand_cost", DBL), ("pricing_public_on_demand_rate", STR), ("pricing_purchase_option", STR),
    ("pricing_rate_code", STR), ("pricing_rate_id", STR), ("pricing_term", STR), ("pricing_unit", STR),
    ("product", MAP_SS), ("product_comment", STR), ("product_fee_code", STR), ("product_fee_description", STR),
    ("product_from_location", STR), ("product_from_location_type", STR), ("product_from_region_code", STR),
    ("product_instance_family", STR), ("product_instance_type", STR), ("product_instancesku", STR),
    ("product_location", STR), ("product_location_type", STR), ("product_operation", STR),
    ("product_pricing_unit", STR), ("product_product_family", STR), ("product_region_code", STR),
    ("product_servicecode", STR), ("product_sku", STR), ("product_to_location", STR),
    ("product_to_location_type", STR), ("product_to_region_code", STR), ("product_usagetype", STR),
    ("reservation_amortized_upfront_cost_for_usage", DBL), ("reservation_amortized_upfront_fee_for_billing_period", DBL),
    ("reservation_availability_zone", STR), ("reservation_effective_cost", DBL), ("reservation_end_time", STR),
    ("reservation_modification_status", STR), ("reservation_net_amortized_upfront_cost_for_usage", DBL),
    ("reservation_net_amortized_upfront_fee_for_billing_period", DBL), ("reservation_net_effective_cost", DBL),
    ("reservation_net_recurring_fee_for_usage", DBL), ("reservation_net_unused_amortized_upfront_fee_for_billing_period", DBL),
    ("reservation_net_unused_recurring_fee", DBL), ("reservation_net_upfront_value", DBL),
    ("reservation_normalized_units_per_reservation", STR), ("reservation_number_of_reservations", STR),
    ("reservation_recurring_fee_for_usage", DBL), ("reservation_reservation_a_r_n", STR),
    ("reservation_start_time", STR), ("reservation_subscription_id", STR),
    ("reservation_total_reserved_normalized_units", STR), ("reservation_total_reserved_units", STR),
    ("reservation_units_per_reservation", STR), ("reservation_unused_amortized_upfront_fee_for_billing_period", DBL),
    ("reservation_unused_normalized_unit_quantity", DBL), ("reservation_unused_quantity", DBL),
    ("reservation_unused_recurring_fee", DBL), ("reservation_upfront_value", DBL),
    ("resource_tags", MAP_SS),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", DBL), ("savings_plan_end_time", STR),
    ("savings_plan_instance_type_family", STR), ("savings_plan_net_amortized_upfront_commitment_for_billing_period", DBL),
    ("savings_plan_net_recurring_commitment_for_billing_period", DBL), ("savings_plan_net_savings_plan_effective_cost", DBL),
    ("savings_plan_offering_type", STR), ("savings_plan_payment_option", STR), ("savings_plan_purchase_term", STR),
    ("savings_plan_recurring_commitment_for_billing_period", DBL), ("savings_plan_region", STR),
    ("savings_plan_savings_plan_a_r_n", STR), ("savings_plan_savings_plan_effective_cost", DBL),
    ("savings_plan_savings_plan_rate", DBL), ("savings_plan_start_time", STR),
    ("savings_plan_total_commitment_to_date", DBL), ("savings_plan_used_commitment", DBL),
    ("split_line_item_actual_usage", DBL), ("split_line_item_net_split_cost", DBL),
    ("split_line_item_net_unused_cost", DBL), ("split_line_item_parent_resource_id", STR),
    ("split_line_item_public_on_demand_split_cost", DBL), ("split_line_item_public_on_demand_unused_cost", DBL),
    ("split_line_item_reserved_usage", DBL), ("split_line_item_split_cost", DBL), ("split_line_item_split_usage", DBL),
    ("split_line_item_split_usage_ratio", DBL), ("split_line_item_unused_cost", DBL),
    ("capacity_reservation_capacity_reservation_arn", STR), ("capacity_reservation_capacity_reservation_status", STR),
    ("capacity_reservation_capacity_reservation_type", STR),
])
CUR2_COLUMNS = CUR2_SCHEMA.names
MAP_COLUMNS = ("cost_category", "discount", "product", "resource_tags")


@dataclass(frozen=True)
class AwsSku:
    key: str
    product_code: str
    product_name: str
    servicecode: str
    usage_type: str
    operation: str
    unit: str
    rate: float
    family: str
    kind: str  # instance | storage | metered
    qty_lo: float  # hourly quantity range for a resource
    qty_hi: float
    teams: tuple[str, ...]
    weight: float
    instance_type: str | None = None
    nf: float | None = None
    sp_rate: float | None = None
    region: str = "us-east-1"
    desc: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    # traffic meter billed on the same resource (its own line per slot): a SageMaker endpoint's data processed,
    # a GPU instance's data transfer out - the billing data's evidence that the capacity is used
    companion: str | None = None


REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)"}

AWS_SKUS: tuple[AwsSku, ...] = (
    AwsSku("ec2-p4d", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "USW2-BoxUsage:p4d.24xlarge",
           "RunInstances", "Hrs", 32.7726, "Compute Instance", "instance", 1, 1, ("robot-vision", "ml-platform"), 0.6,
           "p4d.24xlarge", 192, 22.9408, "us-west-2", "$32.7726 per On Demand Linux p4d.24xlarge Instance Hour",
           (("vcpu", "96"), ("memory", "1152 GiB"), ("gpu", "8"), ("gpu_memory", "320 GB")), "ec2-gpu-dto-usw2"),
    AwsSku("ec2-g5x", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "BoxUsage:g5.xlarge", "RunInstances",
           "Hrs", 1.006, "Compute Instance", "instance", 1, 1, ("ml-platform", "support-copilot", "doc-search"), 3,
           "g5.xlarge", 8, 0.7042, "us-east-1", "$1.006 per On Demand Linux g5.xlarge Instance Hour",
           (("vcpu", "4"), ("memory", "16 GiB"), ("gpu", "1")), "ec2-gpu-dto"),
    AwsSku("ec2-g512x", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "BoxUsage:g5.12xlarge",
           "RunInstances", "Hrs", 5.672, "Compute Instance", "instance", 1, 1, ("robot-vision",), 1, "g5.12xlarge", 96,
           3.9704, "us-east-1", "$5.672 per On Demand Linux g5.12xlarge Instance Hour",
           (("vcpu", "48"), ("memory", "192 GiB"), ("gpu", "4")), "ec2-gpu-dto"),
    AwsSku("ec2-m5x", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "BoxUsage:m5.xlarge", "RunInstances",
           "Hrs", 0.192, "Compute Instance", "instance", 1, 1,
           ("website", "data-lake", "support-copilot", "fraud-model", "forecasting"), 8, "m5.xlarge", 8, 0.1344,
           "us-east-1", "$0.192 per On Demand Linux m5.xlarge Instance Hour", (("vcpu", "4"), ("memory", "16 GiB"))),
    AwsSku("ec2-c6i2x", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "BoxUsage:c6i.2xlarge",
           "RunInstances", "Hrs", 0.34, "Compute Instance", "instance", 1, 1, ("website", "data-lake", "doc-search"), 5,
           "c6i.2xlarge", 16, 0.238, "us-east-1", "$0.34 per On Demand Linux c6i.2xlarge Instance Hour",
           (("vcpu", "8"), ("memory", "16 GiB"))),
    AwsSku("ebs-gp3", "AmazonEC2", "Amazon Elastic Compute Cloud", "AmazonEC2", "EBS:VolumeUsage.gp3",
           "CreateVolume-Gp3", "GB-Mo", 0.08, "Storage", "storage", 100, 2000,
           ("website", "data-lake", "ml-platform", "robot-vision", "fraud-model"), 8, desc="$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)",
           extra=(("volume_api_name", "gp3"), ("storage_media", "SSD-backed"))),
    AwsSku("s3-std", "AmazonS3", "Amazon Simple Storage Service", "AmazonS3", "TimedStorage-ByteHrs",
           "StandardStorage", "GB-Mo", 0.023, "Storage", "storage", 500, 60000,
           ("data-lake", "doc-search", "robot-vision", "website"), 6,
           desc="$0.023 per GB - first 50 TB / month of storage used",
           extra=(("storage_class", "General Purpose"), ("volume_type", "Standard"))),
    AwsSku("s3-req", "AmazonS3", "Amazon Simple Storage Service", "AmazonS3", "Requests-Tier1", "PutObject",
           "Requests", 0.000005, "API Request", "metered", 2000, 60000, ("data-lake", "doc-search", "website"), 4,
           desc="$0.005 per 1,000 PUT, COPY, POST, or LIST requests"),
    AwsSku("rds-r6g", "AmazonRDS", "Amazon Relational Database Service", "AmazonRDS", "InstanceUsage:db.r6g.xl",
           "CreateDBInstance:0014", "Hrs", 0.449, "Database Instance", "instance", 1, 1,
           ("data-lake", "fraud-model", "website"), 3, "db.r6g.xlarge", 8, None, "us-east-1",
           "$0.449 per RDS db.r6g.xlarge Single-AZ instance hour (or partial hour) running PostgreSQL",
           (("database_engine", "PostgreSQL"), ("vcpu", "4"), ("memory", "32 GiB"))),
    AwsSku("dto", "AmazonEC2", "Amazon Elastic Compute Cloud", "AWSDataTransfer", "DataTransfer-Out-Bytes",
           "RunInstances", "GB", 0.09, "Data Transfer", "metered", 1, 40, ("website", "support-copilot", "data-lake"), 3,
           desc="$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
           extra=(("transfer_type", "AWS Outbound"),)),
    AwsSku("bedrock-c35s-in", "AmazonBedrock", "Amazon Bedrock", "AmazonBedrock", "USE1-Claude3.5Sonnet-input-tokens",
           "InvokeModelInference", "1K tokens", 0.003, "Amazon Bedrock", "metered", 40, 2500,
           ("support-copilot", "doc-search", "fraud-model"), 2,
           desc="$0.003 per 1K input tokens for Claude 3.5 Sonnet in US East (N. Virginia)",
           extra=(("model", "Claude 3.5 Sonnet"), ("provider", "Anthropic"), ("inference_type", "input tokens"))),
    AwsSku("bedrock-c35s-out", "AmazonBedrock", "Amazon Bedrock", "AmazonBedrock",
           "USE1-Claude3.5Sonnet-output-tokens", "InvokeModelInference", "1K tokens", 0.015, "Amazon Bedrock", "metered",
           8, 500, ("support-copilot", "doc-search", "fraud-model"), 2,
           desc="$0.015 per 1K output tokens for Claude 3.5 Sonnet in US East (N. Virginia)",
           extra=(("model", "Claude 3.5 Sonnet"), ("provider", "Anthropic"), ("inference_type", "output tokens"))),
    AwsSku("bedrock-titan-emb", "AmazonBedrock", "Amazon Bedrock", "AmazonBedrock",
           "USE1-TitanEmbeddingsG1-Text-input-tokens", "InvokeModelInference", "1K tokens", 0.0001, "Amazon Bedrock",
           "metered", 200, 20000, ("doc-search",), 1.5,
           desc="$0.0001 per 1K input tokens for Titan Embeddings G1 - Text",
           extra=(("model", "Titan Embeddings G1 - Text"), ("provider", "Amazon"), ("inference_type", "input tokens"))),
    AwsSku("sm-host-g5", "AmazonSageMaker", "Amazon SageMaker", "AmazonSageMaker", "USE1-Host:ml.g5.xlarge",
           "RunInstance", "Hrs", 1.408, "ML Instance", "instance", 1, 1,
           ("fraud-model", "support-copilot", "ml-platform"), 3, "ml.g5.xlarge", None, None, "us-east-1",
           "$1.408 per Hosting ml.g5.xlarge hour in US East (N. Virginia)",
           (("component", "Hosting"), ("vcpu", "4"), ("gpu", "1")), "sm-data-in"),
    AwsSku("lambda", "AWSLambda", "AWS Lambda", "AWSLambda", "Lambda-GB-Second", "Invoke", "Lambda-GB-Second",
           0.0000166667, "Serverless", "metered", 2000, 120000, ("website", "support-copilot", "data-lake"), 2,
           desc="AWS Lambda - Total Compute - US East (Northern Virginia)"),
    # weight 0: never drawn for a resource of their own. The traffic companions of the SageMaker endpoints and GPU
    # instances (AwsSku.companion), and the SageMaker training instance of the planted waste scenarios (PLANTED)
    AwsSku("sm-data-in", "AmazonSageMaker", "Amazon SageMaker", "AmazonSageMaker", "USE1-Hst:Data-Bytes-In",
           "Invoke-Endpoint", "GB", 0.016, "ML Hosting Data Processing", "metered", 0.05, 1.5,
           ("fraud-model", "support-copilot", "ml-platform"), 0,
           desc="$0.016 per GB Data Processed IN to Amazon SageMaker Hosting in US East (N. Virginia)",
           extra=(("component", "Hosting"),)),
    AwsSku("ec2-gpu-dto", "AmazonEC2", "Amazon Elastic Compute Cloud", "AWSDataTransfer", "DataTransfer-Out-Bytes",
           "RunInstances", "GB", 0.09, "Data Transfer", "metered", 0.02, 0.8,
           ("ml-platform", "support-copilot", "doc-search", "robot-vision"), 0,
           desc="$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
           extra=(("transfer_type", "AWS Outbound"),)),
    AwsSku("ec2-gpu-dto-usw2", "AmazonEC2", "Amazon Elastic Compute Cloud", "AWSDataTransfer",
           "USW2-DataTransfer-Out-Bytes", "RunInstances", "GB", 0.09, "Data Transfer", "metered", 0.02, 0.8,
           ("robot-vision", "ml-platform"), 0, region="us-west-2",
           desc="$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
           extra=(("transfer_type", "AWS Outbound"),)),
    AwsSku("sm-train-g512x", "AmazonSageMaker", "Amazon SageMaker", "AmazonSageMaker", "USE1-Train:ml.g5.12xlarge",
           "RunInstance", "Hrs", 7.09, "ML Instance", "instance", 1, 1, ("robot-vision",), 0, "ml.g5.12xlarge", None,
           None, "us-east-1", "$7.09 per Training ml.g5.12xlarge hour in US East (N. Virginia)",
           (("component", "Training"), ("vcpu", "48"), ("gpu", "4"))),
)
SKU_INDEX = {s.key: i for i, s in enumerate(AWS_SKUS)}


def region_of(s: AwsSku) -> str:
    return s.region


def _instance_family(s: AwsSku) -> str | None:
    if not s.instance_type:
        return None
    return s.instance_type.split(".")[1] if s.instance_type.startswith("ml.") else s.instance_type.split(".")[0]


def _fmt_rate(x: float) -> str:
    return f"{x:.10f}".rstrip("0").rstrip(".") if x else "0.0"


def product_map(s: AwsSku) -> list[tuple[str, str]]:
    items = [("product_name", s.product_name), ("region", s.region), ("servicename", s.product_name)]
    items += list(s.extra)
    return items


def product_sku_id(s: AwsSku) -> str:
    return ("".join(c for c in py_hex(7, 900, SKU_INDEX[s.key], 16).upper() if c.isalnum()))[:16]


@dataclass
class AwsPlan:
    """All per-month layout numbers for one payer."""

    payer: AwsPayer
    month: Month
    hourly: bool
    n_slots: int
    slot_hours: int
    resources: list[Resource]
    covered: np.ndarray  # resource indexes covered by SP/RI
    neg_per_slot: int  # negation rows per slot (SP only)
    usage_rows: int
    tail_rows: int


class AwsGenerator:
    """Generates one payer's line items for one month as CUR 2.0 Arrow tables."""

    def __init__(self, payer: AwsPayer, month: Month, total_rows: int, seed: int, commitment: str = "sp",
                 version: int = 1, restate: bool = False, batch_rows: int = 50_000,
                 teams: tuple[str, ...] | None = None):
        self.payer = payer
        self.month = month
        self.seed = seed
        self.commitment = commitment
        self.version = version
        self.restate = restate  # apply the documented restatement (later delivery)
        self.batch_rows = batch_rows
        self.total_rows = max(int(total_rows), 0)
        self.stream = 100 + month.index % 1000 + (0 if payer.payer_id.startswith("2") else 5000)
        self.fleet_stream = 300 + (0 if payer.payer_id.startswith("2") else 5000)  # month-independent
        self.accounts = list(payer.members)
        self._acct_index = {a.id: i for i, a in enumerate(self.accounts)}
        self.teams = teams
        self._plan()

    # ---------------------------------------------------------------- layout
    def _plan(self) -> None:
        m = self.month
        budget = self.total_rows
        self.hourly = budget >= m.hours * 400
        self.slot_hours = 1 if self.hourly else 24
        self.n_slots = m.hours if self.hourly else m.days
        n_fee = self.n_slots if self.commitment == "sp" else 1
        # the planted scenarios (PLANTED; main payer only) when they stay within an eighth of the budget
        planted = self._planted_rows() if self.payer.payer_id == AWS_MAIN_ID and self.teams is None else []
        self.planted = planted if len(planted) * 8 <= budget else []
        usage_budget = max(budget - n_fee - len(self.planted), 0)
        per_slot = max(1, math.ceil(usage_budget / self.n_slots))
        # the smallest fleet whose rows per slot (resources, their traffic companions, SP negations) fill a slot:
        # rows per slot grow with the fleet (resource i is the same for every fleet size), so bisect
        def rows_per_slot(n: int) -> tuple[int, list[Resource]]:
            res = self._make_resources(n)
            return len(res) + (sum(r.covered for r in res) if self.commitment == "sp" else 0), res

        lo, hi = 1, per_slot
        while lo < hi:
            mid = (lo + hi) // 2
            if rows_per_slot(mid)[0] >= per_slot:
                hi = mid
            else:
                lo = mid + 1
        self.resources = rows_per_slot(lo)[1]
        cov = [i for i, r in enumerate(self.resources) if r.covered]
        self.covered = np.array(cov, dtype=np.int64)
        self.cov_rank = np.full(len(self.resources), -1, dtype=np.int64)
        self.cov_rank[self.covered] = np.arange(len(cov))
        self.neg_per_slot = len(cov) if self.commitment == "sp" else 0
        self.rows_per_slot = len(self.resources) + self.neg_per_slot
        # exact tail size now that resources are known
        self.tax_keys = sorted({(r.account, AWS_SKUS[r.sku].product_code) for r in self.resources}
                               | {(self._acct_index[p.account], AWS_SKUS[SKU_INDEX[p.sku]].product_code)
                                  for p, _slot, _qty in self.planted})
        self.bedrock_accounts = sorted({r.account for r in self.resources if AWS_SKUS[r.sku].product_code == "AmazonBedrock"})
        self.sm_resources = [i for i, r in enumerate(self.resources) if AWS_SKUS[r.sku].key == "sm-host-g5"]
        has_refund = bool(self.sm_resources) and (self.restate or self.month.ym != "2026-09")
        self.n_refund = 1 if has_refund else 0
        self.n_credit = len(self.bedrock_accounts)
        tail = n_fee + self.n_credit + self.n_refund + len(self.tax_keys) + len(self.planted)
        if budget and budget < tail + 1:
            tail = 0  # tiny budgets: usage rows only
            self.n_refund = self.n_credit = 0
            self.tax_keys = []
            self.planted = []
            self.n_fee = 0
        else:
            self.n_fee = n_fee
        # the restated delivery's refund is an extra row on top of the original delivery's budget
        extra = self.n_refund if (self.restate and self.month.ym == "2026-09") else 0
        self.usage_rows = min(max(budget - (tail - extra), 0), self.n_slots * self.rows_per_slot)
        if self.version == 2:  # restated delivery adds the refund row on top of the budget
            pass
        self.tail_rows = tail
        # Savings plan / RI commitment sized from always-on covered resources
        self._commit()

    def _make_resources(self, n: int) -> list[Resource]:
        # the fleet: resource i is the same in every month and every delivery (same id, SKU, team, tags), only
        # its quantities change per month (stream + 50); a month with a larger budget has a few more resources
        seed, st = self.seed, self.fleet_stream + 17
        weights = np.array([s.weight for s in AWS_SKUS], dtype=float)
        allowed = None
        if self.teams:
            allowed = set(self.teams)
            weights = np.array([s.weight if set(s.teams) & allowed else 0.0 for s in AWS_SKUS])
        cdf = np.cumsum(weights) / weights.sum()
        idx = np.arange(n)
        u_sku = urand(seed, st, idx)
        u_team = urand(seed, st + 1, idx)
        u_env = urand(seed, st + 2, idx)
        u_tag = urand(seed, st + 3, idx)
        u_qty = urand(seed, st + 4, idx)
        u_cov = urand(seed, st + 5, idx)
        hid = hash64(seed, st + 6, idx)
        hexs = id_chars(hid, 17, np.frombuffer(b"0123456789abcdef", dtype=np.uint8))
        out = []
        for i in range(n):
            si = int(np.searchsorted(cdf, u_sku[i], side="right"))
            si = min(si, len(AWS_SKUS) - 1)
            s = AWS_SKUS[si]
            teams = [t for t in s.teams if allowed is None or t in allowed] or list(s.teams)
            team = TEAM_BY_PROJECT[teams[int(u_team[i] * len(teams))]]
            env = "prod" if u_env[i] < 0.65 else "dev"
            style = tag_style(u_tag[i])
            acct = account_for(self.payer, team.business_unit, env)
            a_idx = self._acct_index[acct.id]
            h = hexs[i].tobytes().decode()
            region = s.region
            n_str = f"{i:04d}"
            if s.kind == "instance" and s.product_code == "AmazonEC2":
                rid = f"i-0{h}"
            elif s.key == "ebs-gp3":
                rid = f"vol-0{h}"
            elif s.product_code == "AmazonS3":
                rid = f"nw-{team.project}-{env}-{n_str}"
            elif s.product_code == "AmazonRDS":
                rid = f"arn:aws:rds:{region}:{acct.id}:db:{team.project}-{env}-{n_str}"
            elif s.key == "dto":
                rid = f"i-0{h}"
            elif s.product_code == "AmazonBedrock":
                rid = f"arn:aws:bedrock:{region}:{acct.id}:application-inference-profile/{h[:12]}"
            elif s.product_code == "AmazonSageMaker":
                rid = f"arn:aws:sagemaker:{region}:{acct.id}:endpoint/{team.project}-{env}-ep{n_str}"
            else:
                rid = f"arn:aws:lambda:{region}:{acct.id}:function:{team.project}-{env}-fn{n_str}"
            if s.kind == "storage":
                qty = round(s.qty_lo + (s.qty_hi - s.qty_lo) * u_qty[i] ** 2, 0)  # GB provisioned
            else:
                qty = s.qty_lo + (s.qty_hi - s.qty_lo) * u_qty[i] ** 2
            if self.commitment == "sp":
                covered = bool(s.sp_rate) and env == "prod" and u_cov[i] < 0.55
            else:
                covered = s.key == "ec2-m5x" and env == "prod" and u_cov[i] < 0.8
            out.append(Resource(si, team, env, style, rid, rid.rsplit("/", 1)[-1], float(qty), a_idx, covered,
                                {"az": region + ("a" if u_qty[i] < 0.5 else "b")}))
        # traffic companions (data processed / transferred) on the same resource id, after the fleet
        u_comp = urand(seed, st + 8, idx)
        for i in range(n):
            r = out[i]
            comp = AWS_SKUS[r.sku].companion
            if comp is None:
                continue
            c = AWS_SKUS[SKU_INDEX[comp]]
            qty = c.qty_lo + (c.qty_hi - c.qty_lo) * u_comp[i] ** 2
            out.append(Resource(SKU_INDEX[comp], r.team, r.env, r.tag_style, r.rid, r.name, float(qty), r.account,
                                False, {"az": r.extra["az"], "parent": i}))
        return out

    def _planted_rows(self) -> list[tuple[PlantedLine, int, float]]:
        """(line, slot, quantity) of every planted row of this month, in PLANTED order then slot order."""
        import datetime as dt

        m = self.month
        out = []
        for p in PLANTED:
            per_hour = p.qty / m.hours if p.per_month else p.qty
            first = dt.date.fromisoformat(p.first) if p.first else None
            last = dt.date.fromisoformat(p.last) if p.last else None
            days = {dt.date.fromisoformat(d) for d in p.days}
            for d in range(m.days):
                day = m.start.date() + dt.timedelta(days=d)
                if days and day not in days:
                    continue
                if (first and day < first) or (last and day > last):
                    continue
                hours = range(p.start_hour, min(p.start_hour + p.hours, 24))
                if self.hourly:
                    out += [(p, d * 24 + h, round(per_hour, 8)) for h in hours]
                else:
                    out.append((p, d, round(per_hour * len(hours), 8)))
        return out

    def _commit(self) -> None:
        cov = [self.resources[i] for i in self.covered]
        if self.commitment == "sp":
            used_hr = sum(AWS_SKUS[r.sku].sp_rate for r in cov)
            self.sp_hourly = math.ceil(used_hr / 0.88 * 100) / 100 if cov else 0.0
            self.sp_arn = f"arn:aws:savingsplans::{self.payer.payer_id}:savingsplan/{py_hex(self.seed, 31, 1, 8)}-{py_hex(self.seed, 32, 1, 4)}-4{py_hex(self.seed, 33, 1, 3)}-9{py_hex(self.seed, 34, 1, 3)}-{py_hex(self.seed, 35, 1, 12)}"
        else:
            sku = AWS_SKUS[SKU_INDEX["ec2-m5x"]]
            self.ri_count = max(1, math.ceil(len(cov) * 1.15)) if cov else 0
            self.ri_rate = 0.121  # 1yr No Upfront m5.xlarge effective hourly
            self.ri_arn = f"arn:aws:ec2:us-east-1:{self.payer.payer_id}:reserved-instances/{py_uuid_like(self.seed)}"
            self.ri_sku = sku

    # ---------------------------------------------------------------- per-resource arrow lookups
    def _lookups(self):
        if hasattr(self, "_lk"):
            return self._lk
        R = self.resources
        lk = {}
        lk["rid"] = pa.array([r.rid for r in R], STR)
        lk["az"] = pa.array([r.extra["az"] if AWS_SKUS[r.sku].kind == "instance" else None for r in R], STR)
        lk["acct_id"] = pa.array([self.accounts[r.account].id for r in R], STR)
        lk["acct_name"] = pa.array([self.accounts[r.account].name for r in R], STR)
        # resource tags map
        keys, vals, offs = [], [], [0]
        cc_keys, cc_vals, cc_offs = [], [], [0]
        self.tag_dicts = []
        # CUR 2.0 tags as written by people (a minority messy, see messy_tags); the legacy CUR keeps the clean
        # tag_dicts (its tag columns are fixed). Own stream: no other random value moves.
        u_mess = urand(self.seed, self.fleet_stream + 7000, np.arange(len(R)))
        for i, r in enumerate(R):
            t = tags_for(r.team, r.env, r.tag_style)
            self.tag_dicts.append(t)
            written = messy_tags(t, float(u_mess[r.extra.get("parent", i)]))  # a companion writes its parent's
            for k in sorted(written):
                keys.append("user_" + k)
                vals.append(written[k])
            offs.append(len(keys))
            acct = self.accounts[r.account]
            cc_keys += ["BusinessUnit", "Environment"]
            cc_vals += [acct.business_unit, acct.env]
            cc_offs.append(len(cc_keys))
        lk["tag_off"] = np.array(offs, dtype=np.int64)
        lk["tag_k"] = pa.array(keys, STR)
        lk["tag_v"] = pa.array(vals, STR)
        lk["cc_off"] = np.array(cc_offs, dtype=np.int64)
        lk["cc_k"] = pa.array(cc_keys, STR)
        lk["cc_v"] = pa.array(cc_vals, STR)
        # per sku
        S = AWS_SKUS
        lk["sku_str"] = {
            "product_code": pa.array([s.product_code for s in S]),
            "usage_type": pa.array([s.usage_type for s in S]),
            "operation": pa.array([s.operation for s in S]),
            "unit": pa.array([s.unit for s in S]),
            "rate": pa.array([_fmt_rate(s.rate) for s in S]),
            "family": pa.array([s.family for s in S]),
            "instance_type": pa.array([s.instance_type for s in S], STR),
            "instance_family": pa.array([_instance_family(s) for s in S], STR),
            "servicecode": pa.array([s.servicecode for s in S]),
            "region": pa.array([s.region for s in S]),
            "location": pa.array([REGION_NAMES[s.region] for s in S]),
            "sku": pa.array([product_sku_id(s) for s in S]),
            "desc": pa.array([s.desc or f"{s.product_name} {s.usage_type}" for s in S]),
            "rate_code": pa.array([f"{product_sku_id(s)}.JRTCKXETXF.6YS6EN2CT7" for s in S]),
            "rate_id": pa.array([str(1000000000 + SKU_INDEX[s.key] * 7919) for s in S]),
        }
        lk["sku_num"] = {
            "rate": np.array([s.rate for s in S]),
            "sp_rate": np.array([s.sp_rate or 0.0 for s in S]),
            "nf": np.array([s.nf if s.nf else np.nan for s in S]),
            "kind": np.array([{"instance": 0, "storage": 1, "metered": 2}[s.kind] for s in S]),
        }
        pk, pv, po = [], [], [0]
        for s in S:
            for k, v in product_map(s):
                pk.append(k)
                pv.append(v)
            po.append(len(pk))
        lk["prod_off"] = np.array(po, dtype=np.int64)
        lk["prod_k"] = pa.array(pk, STR)
        lk["prod_v"] = pa.array(pv, STR)
        lk["res_sku"] = np.array([r.sku for r in R], dtype=np.int64)
        lk["res_qty"] = np.array([r.qty for r in R], dtype=np.float64)
        lk["res_env_prod"] = np.array([r.env == "prod" for r in R])
        lk["res_acct"] = np.array([r.account for r in R], dtype=np.int64)
        lk["res_ai"] = np.array([AWS_SKUS[r.sku].product_code == "AmazonBedrock" for r in R])
        self._lk = lk
        return lk

    # ---------------------------------------------------------------- quantities
    def slot_start_ms(self, slot: np.ndarray) -> np.ndarray:
        return self.month.start_epoch_ms() + slot.astype(np.int64) * self.slot_hours * 3_600_000

    def _quantities(self, res: np.ndarray, slot: np.ndarray) -> np.ndarray:
        lk = self._lookups()
        sku = lk["res_sku"][res]
        kind = lk["sku_num"]["kind"][sku]
        base = lk["res_qty"][res]
        gidx = res.astype(np.int64) * 100_003 + slot.astype(np.int64)
        u = urand(self.seed, self.stream + 50, gidx)
        hours = float(self.slot_hours)
        day = (slot * self.slot_hours) // 24
        weekday = (self.month.start.weekday() + day) % 7
        wk = np.where(weekday >= 5, 0.6, 1.0)
        q = np.empty(len(res))
        inst = kind == 0
        prod = lk["res_env_prod"][res]
        covered = self.cov_rank[res] >= 0
        if self.hourly:
            q[inst] = 1.0
        else:
            up = np.where(prod | covered, 1.0, np.round(0.35 + 0.65 * u, 2))
            q[inst] = (hours * up)[inst]
        st = kind == 1
        q[st] = (base * hours / self.month.hours * (1.0 + 0.003 * day))[st]
        me = kind == 2
        q[me] = (base * hours * (0.4 + 1.2 * u) * wk)[me]
        if self.restate:  # late-arriving Bedrock usage on the last two days of the restated month
            late = lk["res_ai"][res] & (day >= self.month.days - 2)
            q = np.where(late, q * 1.08, q)
        return np.round(q, 8)

    # ---------------------------------------------------------------- batches
    def invoice_id(self) -> str | None:
        if self.month.ym == "2026-09" and not self.restate:
            return None  # first delivery: the invoice is not final yet, InvoiceId blank
        return f"{self.payer.invoice_prefix}{self.month.compact[2:]}{int(py_rand(self.seed, 77, self.month.index) * 1e5):05d}"

    def iter_batches(self) -> Iterator[tuple[pa.Table, dict]]:
        """Yields (CUR 2.0 table, aux) where aux has numpy arrays 'res', 'sku' (or None for tail rows)."""
        n = self.usage_rows
        self._acc_cost = {}
        self._acc_used = np.zeros(self.n_slots)
        self._acc_prod_cost = {}
        self._acc_ri_used = 0.0
        for a in range(0, n, self.batch_rows):
            b = min(n, a + self.batch_rows)
            yield self._usage_batch(a, b)
        tail = self._tail_rows()
        if tail:
            yield pa.Table.from_pylist(tail, schema=CUR2_SCHEMA), {"res": None, "sku": None}

    def _usage_batch(self, a: int, b: int):
        lk = self._lookups()
        idx = np.arange(a, b, dtype=np.int64)
        n = len(idx)
        rps = self.rows_per_slot
        slot = idx // rps
        j = idx % rps
        nres = len(self.resources)
        neg = j >= nres
        res = np.where(neg, self.covered[np.clip(j - nres, 0, max(len(self.covered) - 1, 0))] if len(self.covered) else 0, j)
        covered = (self.cov_rank[res] >= 0) & ~neg
        # a truncated last slot may lack some negations: those covered rows become plain usage
        last_slot = (self.usage_rows - 1) // rps
        rows_last = self.usage_rows - last_slot * rps
        negs_last = max(0, rows_last - nres)
        if self.commitment == "sp":
            dangling = (slot == last_slot) & covered & (self.cov_rank[res] >= negs_last)
            covered &= ~dangling
        sku = lk["res_sku"][res]
        qty = self._quantities(res, slot)
        rate = lk["sku_num"]["rate"][sku]
        od_cost = np.round(qty * rate, 10)
        role = np.zeros(n, dtype=np.int8)  # 0 Usage, 1 covered, 2 negation
        role[covered] = 1
        role[neg] = 2
        if self.commitment == "sp":
            unblended = np.where(role == 2, -od_cost, od_cost)
            sp_rate = lk["sku_num"]["sp_rate"][sku]
            sp_eff = np.round(qty * sp_rate, 10)
            np.add.at(self._acc_used, slot[role == 1], sp_eff[role == 1])
            type_names = np.array(["Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation"], dtype=object)
        else:
            unblended = np.where(role == 1, 0.0, od_cost)
            self._acc_ri_used += float(qty[role == 1].sum())
            type_names = np.array(["Usage", "DiscountedUsage", "Usage"], dtype=object)
        # accumulate for tax and credits (per account, product code)
        acct = lk["res_acct"][res]
        key = acct * 1000 + sku
        sums = np.bincount(key, weights=unblended, minlength=0)
        for k in np.nonzero(sums)[0]:
            a_i, s_i = divmod(int(k), 1000)
            kk = (a_i, AWS_SKUS[s_i].product_code)
            self._acc_cost[kk] = self._acc_cost.get(kk, 0.0) + float(sums[k])
        sm = np.bincount(res, weights=unblended, minlength=len(self.resources))
        for r_i in self.sm_resources:
            self._acc_prod_cost[r_i] = self._acc_prod_cost.get(r_i, 0.0) + float(sm[r_i])

        start_ms = self.slot_start_ms(slot)
        end_ms = start_ms + self.slot_hours * 3_600_000
        cols: dict[str, pa.Array] = {}
        mstart = self.month.start_epoch_ms()
        mend = int(self.month.end.timestamp() * 1000)
        cols["bill_bill_type"] = _const("Anniversary", n)
        cols["bill_billing_entity"] = _const("AWS", n)
        cols["bill_billing_period_start_date"] = pa.array(np.full(n, mstart, dtype=np.int64), TS)
        cols["bill_billing_period_end_date"] = pa.array(np.full(n, mend, dtype=np.int64), TS)
        cols["bill_invoice_id"] = _const(self.invoice_id(), n)
        cols["bill_invoicing_entity"] = _const(self.payer.legal_entity, n)
        cols["bill_payer_account_id"] = _const(self.payer.payer_id, n)
        cols["bill_payer_account_name"] = _const(self.payer.payer_name, n)
        cols["cost_category"] = _gather_map(lk["cc_off"], lk["cc_k"], lk["cc_v"], res, MAP_SS)
        cols["discount"] = pa.MapArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], STR),
                                                   pa.array([], DBL), type=MAP_SD)
        # ids: unique per (month, row) — hashed, base32 like AWS
        gid = idx + self.month.index * 10_000_000_000
        h1 = hash64(self.seed, 7 + (self.payer.payer_id == AWS_SUB_ID), gid)
        h2 = hash64(self.seed, 8, gid)
        chars = np.concatenate([id_chars(h1, 13), id_chars(h2, 13), id_chars(h1 ^ h2, 13), id_chars(h2 >> np.uint64(7), 13)], axis=1)
        cols["identity_line_item_id"] = _strings_from_matrix(chars)
        cols["identity_time_interval"] = _slot_strings(self, slot, "interval")
        cols["line_item_availability_zone"] = lk["az"].take(pa.array(res))
        cols["line_item_blended_cost"] = pa.array(unblended)
        rate_s = lk["sku_str"]["rate"].take(pa.array(sku))
        if self.commitment == "ri":
            rate_s = _where(role == 1, pa.array(np.full(n, "0.0", dtype=object), STR), rate_s)
        cols["line_item_blended_rate"] = rate_s
        cols["line_item_currency_code"] = _const("USD", n)
        cols["line_item_legal_entity"] = _const(self.payer.legal_entity, n)
        desc = lk["sku_str"]["desc"].take(pa.array(sku))
        if self.commitment == "sp":
            desc = _where(role == 1, pa.array(np.full(n, "Compute Savings Plan covered usage", dtype=object), STR), desc)
            desc = _where(role == 2, pa.array(np.full(n, f"SavingsPlanNegation used by AccountId : {self.payer.payer_id}", dtype=object), STR), desc)
        else:
            desc = _where(role == 1, pa.array(np.full(n, "USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), m5.xlarge reserved instance applied", dtype=object), STR), desc)
        cols["line_item_line_item_description"] = desc
        cols["line_item_line_item_type"] = pa.array(type_names[role], STR)
        cols["line_item_net_unblended_cost"] = pa.array(unblended)
        cols["line_item_net_unblended_rate"] = rate_s
        nf = lk["sku_num"]["nf"][sku]
        cols["line_item_normalization_factor"] = pa.array(nf, mask=np.isnan(nf))
        cols["line_item_normalized_usage_amount"] = pa.array(np.round(qty * nf, 8), mask=np.isnan(nf))
        cols["line_item_operation"] = lk["sku_str"]["operation"].take(pa.array(sku))
        cols["line_item_product_code"] = lk["sku_str"]["product_code"].take(pa.array(sku))
        cols["line_item_resource_id"] = lk["rid"].take(pa.array(res))
        cols["line_item_unblended_cost"] = pa.array(unblended)
        cols["line_item_unblended_rate"] = rate_s
        cols["line_item_usage_account_id"] = lk["acct_id"].take(pa.array(res))
        cols["line_item_usage_account_name"] = lk["acct_name"].take(pa.array(res))
        cols["line_item_usage_amount"] = pa.array(qty)
        cols["line_item_usage_start_date"] = pa.array(start_ms, TS)
        cols["line_item_usage_end_date"] = pa.array(end_ms, TS)
        cols["line_item_usage_type"] = lk["sku_str"]["usage_type"].take(pa.array(sku))
        cols["pricing_currency"] = _const("USD", n)
        cols["pricing_public_on_demand_cost"] = pa.array(np.where(role == 2, 0.0, od_cost))
        cols["pricing_public_on_demand_rate"] = lk["sku_str"]["rate"].take(pa.array(sku))
        cols["pricing_rate_code"] = lk["sku_str"]["rate_code"].take(pa.array(sku))
        cols["pricing_rate_id"] = lk["sku_str"]["rate_id"].take(pa.array(sku))
        term = np.where((role == 1) & (self.commitment == "ri"), "Reserved", "OnDemand").astype(object)
        cols["pricing_term"] = pa.array(term, STR)
        cols["pricing_unit"] = lk["sku_str"]["unit"].take(pa.array(sku))
        cols["product"] = _gather_map(lk["prod_off"], lk["prod_k"], lk["prod_v"], sku, MAP_SS)
        cols["product_instance_family"] = lk["sku_str"]["instance_family"].take(pa.array(sku))
        cols["product_instance_type"] = lk["sku_str"]["instance_type"].take(pa.array(sku))
        cols["product_location"] = lk["sku_str"]["location"].take(pa.array(sku))
        cols["product_location_type"] = _const("AWS Region", n)
        cols["product_operation"] = cols["line_item_operation"]
        cols["product_pricing_unit"] = cols["pricing_unit"]
        cols["product_product_family"] = lk["sku_str"]["family"].take(pa.array(sku))
        cols["product_region_code"] = lk["sku_str"]["region"].take(pa.array(sku))
        cols["product_servicecode"] = lk["sku_str"]["servicecode"].take(pa.array(sku))
        cols["product_sku"] = lk["sku_str"]["sku"].take(pa.array(sku))
        cols["product_usagetype"] = cols["line_item_usage_type"]
        cols["resource_tags"] = _gather_map(lk["tag_off"], lk["tag_k"], lk["tag_v"], res, MAP_SS)
        if self.commitment == "sp":
            m1 = role == 1
            cols["savings_plan_savings_plan_a_r_n"] = _masked_const(self.sp_arn, m1)
            cols["savings_plan_savings_plan_effective_cost"] = pa.array(np.where(m1, sp_eff, 0.0), mask=~m1)
            cols["savings_plan_net_savings_plan_effective_cost"] = cols["savings_plan_savings_plan_effective_cost"]
            cols["savings_plan_savings_plan_rate"] = pa.array(np.where(m1, lk["sku_num"]["sp_rate"][sku], 0.0), mask=~m1)
            cols["savings_plan_start_time"] = _masked_const("2026-03-01T00:00:00.000Z", m1)
            cols["savings_plan_end_time"] = _masked_const("2027-03-01T00:00:00.000Z", m1)
            cols["savings_plan_offering_type"] = _masked_const("ComputeSavingsPlans", m1)
            cols["savings_plan_payment_option"] = _masked_const("No Upfront", m1)
            cols["savings_plan_purchase_term"] = _masked_const("1yr", m1)
            cols["savings_plan_region"] = _masked_const("Any", m1)
        else:
            m1 = role == 1
            eff = np.round(qty * self.ri_rate, 10)
            cols["reservation_reservation_a_r_n"] = _masked_const(self.ri_arn, m1)
            cols["reservation_effective_cost"] = pa.array(np.where(m1, eff, 0.0), mask=~m1)
            cols["reservation_net_effective_cost"] = cols["reservation_effective_cost"]
            cols["reservation_recurring_fee_for_usage"] = cols["reservation_effective_cost"]
            cols["reservation_amortized_upfront_cost_for_usage"] = pa.array(np.zeros(n), mask=~m1)
            cols["reservation_start_time"] = _masked_const("2026-04-01T00:00:00.000Z", m1)
            cols["reservation_end_time"] = _masked_const("2027-04-01T00:00:00.000Z", m1)
            cols["pricing_lease_contract_length"] = _masked_const("1yr", m1)
            cols["pricing_offering_class"] = _masked_const("standard", m1)
            cols["pricing_purchase_option"] = _masked_const("No Upfront", m1)
        table = pa.Table.from_arrays([cols.get(f.name, None) if f.name in cols else pa.nulls(n, f.type)
                                      for f in CUR2_SCHEMA], schema=CUR2_SCHEMA)
        return table, {"res": res, "sku": sku, "role": role}

    # ---------------------------------------------------------------- tail rows
    def _base_row(self, line_type: str, start_ms: int, end_ms: int) -> dict:
        m = self.month
        return {
            "bill_bill_type": "Anniversary", "bill_billing_entity": "AWS",
            "bill_billing_period_start_date": m.start, "bill_billing_period_end_date": m.end,
            "bill_invoice_id": self.invoice_id(), "bill_invoicing_entity": self.payer.legal_entity,
            "bill_payer_account_id": self.payer.payer_id, "bill_payer_account_name": self.payer.payer_name,
            "cost_category": [], "discount": [], "resource_tags": [],
            "identity_time_interval": f"{_iso(start_ms)}/{_iso(end_ms)}",
            "line_item_currency_code": "USD", "line_item_legal_entity": self.payer.legal_entity,
            "line_item_line_item_type": line_type,
            "line_item_usage_start_date": _dtm(start_ms), "line_item_usage_end_date": _dtm(end_ms),
            "pricing_currency": "USD",
        }

    def _planted_row(self, p: PlantedLine, slot: int, qty: float) -> dict:
        """A planted Usage row, column for column what _usage_batch writes for an on-demand row."""
        s = AWS_SKUS[SKU_INDEX[p.sku]]
        acct = self.accounts[self._acct_index[p.account]]
        st = self.month.start_epoch_ms() + slot * self.slot_hours * 3_600_000
        cost = round(qty * s.rate, 10)
        rate = _fmt_rate(s.rate)
        sku_id = product_sku_id(s)
        r = self._base_row("Usage", st, st + self.slot_hours * 3_600_000)
        r.update({
            "cost_category": [("BusinessUnit", acct.business_unit), ("Environment", acct.env)],
            "line_item_availability_zone": s.region + "a" if s.kind == "instance" else None,
            "line_item_blended_cost": cost, "line_item_blended_rate": rate,
            "line_item_line_item_description": s.desc or f"{s.product_name} {s.usage_type}",
            "line_item_net_unblended_cost": cost, "line_item_net_unblended_rate": rate,
            "line_item_normalization_factor": s.nf,
            "line_item_normalized_usage_amount": round(qty * s.nf, 8) if s.nf else None,
            "line_item_operation": s.operation, "line_item_product_code": s.product_code,
            "line_item_resource_id": p.rid, "line_item_unblended_cost": cost, "line_item_unblended_rate": rate,
            "line_item_usage_account_id": acct.id, "line_item_usage_account_name": acct.name,
            "line_item_usage_amount": qty, "line_item_usage_type": s.usage_type,
            "pricing_public_on_demand_cost": cost, "pricing_public_on_demand_rate": rate,
            "pricing_rate_code": f"{sku_id}.JRTCKXETXF.6YS6EN2CT7",
            "pricing_rate_id": str(1000000000 + SKU_INDEX[s.key] * 7919),
            "pricing_term": "OnDemand", "pricing_unit": s.unit, "product": product_map(s),
            "product_instance_family": _instance_family(s), "product_instance_type": s.instance_type,
            "product_location": REGION_NAMES[s.region], "product_location_type": "AWS Region",
            "product_operation": s.operation, "product_pricing_unit": s.unit, "product_product_family": s.family,
            "product_region_code": s.region, "product_servicecode": s.servicecode, "product_sku": sku_id,
            "product_usagetype": s.usage_type,
            "resource_tags": [("user_" + k, v) for k, v in p.tags],
        })
        return r

    def _tail_rows(self) -> list[dict]:
        rows: list[dict] = []
        m = self.month
        ms0 = m.start_epoch_ms()
        ms1 = int(m.end.timestamp() * 1000)
        payer_acct = self.accounts[0]
        for p, slot, qty in self.planted:
            r = self._planted_row(p, slot, qty)
            rows.append(r)
            k = (self._acct_index[p.account], r["line_item_product_code"])
            self._acc_cost[k] = self._acc_cost.get(k, 0.0) + r["line_item_unblended_cost"]
        if self.n_fee and self.commitment == "sp":
            fee = round(self.sp_hourly * self.slot_hours, 10)
            monthly = round(self.sp_hourly * m.hours, 10)
            for s in range(self.n_slots):
                st = ms0 + s * self.slot_hours * 3_600_000
                used = round(min(float(self._acc_used[s]), fee), 10)
                r = self._base_row("SavingsPlanRecurringFee", st, st + self.slot_hours * 3_600_000)
                r.update({
                    "line_item_usage_account_id": payer_acct.id, "line_item_usage_account_name": payer_acct.name,
                    "line_item_product_code": "ComputeSavingsPlans", "line_item_usage_type": "ComputeSP:1yrNoUpfront",
                    "line_item_operation": "", "line_item_resource_id": self.sp_arn,
                    "line_item_usage_amount": float(self.slot_hours), "line_item_unblended_rate": _fmt_rate(self.sp_hourly),
                    "line_item_unblended_cost": fee, "line_item_blended_cost": fee, "line_item_net_unblended_cost": fee,
                    "line_item_line_item_description": f"1 year No Upfront Compute Savings Plan with {self.sp_hourly} USD hourly commitment",
                    "pricing_unit": "Hrs", "pricing_term": "Savings Plan",
                    "product": [("product_name", "Savings Plans for AWS Compute usage")],
                    "product_product_family": "Savings Plan",
                    "savings_plan_savings_plan_a_r_n": self.sp_arn, "savings_plan_total_commitment_to_date": fee,
                    "savings_plan_used_commitment": used, "savings_plan_recurring_commitment_for_billing_period": monthly,
                    "savings_plan_amortized_upfront_commitment_for_billing_period": 0.0,
                    "savings_plan_start_time": "2026-03-01T00:00:00.000Z", "savings_plan_end_time": "2027-03-01T00:00:00.000Z",
                    "savings_plan_offering_type": "ComputeSavingsPlans", "savings_plan_payment_option": "No Upfront",
                    "savings_plan_purchase_term": "1yr", "savings_plan_region": "Any",
                })
                rows.append(r)
        if self.n_fee and self.commitment == "ri":
            hours = float(m.hours)
            reserved = self.ri_count * hours
            used = min(self._acc_ri_used, reserved)
            unused = round(reserved - used, 6)
            cost = round(reserved * self.ri_rate, 10)
            r = self._base_row("RIFee", ms0, ms1)
            r.update({
                "line_item_usage_account_id": payer_acct.id, "line_item_usage_account_name": payer_acct.name,
                "line_item_product_code": "AmazonEC2", "line_item_usage_type": "HeavyUsage:m5.xlarge",
                "line_item_operation": "RunInstances", "line_item_usage_amount": reserved,
                "line_item_unblended_rate": _fmt_rate(self.ri_rate), "line_item_unblended_cost": cost,
                "line_item_blended_cost": cost, "line_item_net_unblended_cost": cost,
                "line_item_line_item_description": f"USD {self.ri_rate} hourly fee per Linux/UNIX (Amazon VPC), m5.xlarge instance",
                "line_item_normalization_factor": 8.0, "line_item_normalized_usage_amount": reserved * 8,
                "pricing_unit": "Hrs", "pricing_term": "Reserved", "pricing_lease_contract_length": "1yr",
                "pricing_offering_class": "standard", "pricing_purchase_option": "No Upfront",
                "product": product_map(self.ri_sku), "product_instance_type": "m5.xlarge",
                "product_product_family": "Compute Instance", "product_region_code": "us-east-1",
                "reservation_reservation_a_r_n": self.ri_arn, "reservation_number_of_reservations": str(self.ri_count),
                "reservation_units_per_reservation": str(int(hours)), "reservation_total_reserved_units": str(reserved),
                "reservation_normalized_units_per_reservation": str(int(hours * 8)),
                "reservation_total_reserved_normalized_units": str(reserved * 8),
                "reservation_unused_quantity": unused, "reservation_unused_normalized_unit_quantity": unused * 8,
                "reservation_unused_recurring_fee": round(unused * self.ri_rate, 10),
                "reservation_amortized_upfront_fee_for_billing_period": 0.0,
                "reservation_unused_amortized_upfront_fee_for_billing_period": 0.0, "reservation_upfront_value": 0.0,
                "reservation_start_time": "2026-04-01T00:00:00.000Z", "reservation_end_time": "2027-04-01T00:00:00.000Z",
                "reservation_modification_status": "Original", "reservation_subscription_id": str(8_000_000_000 + m.index),
            })
            rows.append(r)
        for a_i in self.bedrock_accounts[: self.n_credit]:
            acct = self.accounts[a_i]
            base = self._acc_cost.get((a_i, "AmazonBedrock"), 0.0)
            amt = -round(min(base * 0.3, 5000.0), 2)
            r = self._base_row("Credit", ms0, ms1)
            r.update({
                "line_item_usage_account_id": acct.id, "line_item_usage_account_name": acct.name,
                "line_item_product_code": "AmazonBedrock", "line_item_usage_type": "", "line_item_operation": "",
                "line_item_usage_amount": 0.0, "line_item_unblended_cost": amt, "line_item_blended_cost": amt,
                "line_item_net_unblended_cost": amt,
                "line_item_line_item_description": "AWS Credits - Generative AI Accelerator (PC-GENAI-2026)",
                "product": [("product_name", "Amazon Bedrock")],
            })
            rows.append(r)
            self._acc_cost[(a_i, "AmazonBedrock")] = base + amt
        if self.n_refund:
            r_i = max(self.sm_resources, key=lambda i: self._acc_prod_cost.get(i, 0.0))
            res = self.resources[r_i]
            acct = self.accounts[res.account]
            amt = -round(self._acc_prod_cost.get(r_i, 0.0) * 0.25, 2)
            r = self._base_row("Refund", ms0, ms1)
            r.update({
                "bill_bill_type": "Refund",
                "line_item_usage_account_id": acct.id, "line_item_usage_account_name": acct.name,
                "line_item_product_code": "AmazonSageMaker", "line_item_usage_type": "USE1-Host:ml.g5.xlarge",
                "line_item_operation": "RunInstance", "line_item_resource_id": res.rid,
                "line_item_usage_amount": 0.0, "line_item_unblended_cost": amt, "line_item_blended_cost": amt,
                "line_item_net_unblended_cost": amt,
                "line_item_line_item_description": "Refund: SageMaker endpoint capacity incident (case 17730016)",
                "product": [("product_name", "Amazon SageMaker")],
            })
            rows.append(r)
            k = (res.account, "AmazonSageMaker")
            self._acc_cost[k] = self._acc_cost.get(k, 0.0) + amt
        if self.payer.payer_id == AWS_SUB_ID and self.n_fee:
            k = (0, "AmazonEC2")
            self._acc_cost[k] = self._acc_cost.get(k, 0.0) + sum(
                r["line_item_unblended_cost"] for r in rows if r["line_item_line_item_type"] == "RIFee")
        if self.commitment == "sp" and self.n_fee:
            k = (0, "ComputeSavingsPlans")
            fees = sum(r["line_item_unblended_cost"] for r in rows if r["line_item_line_item_type"] == "SavingsPlanRecurringFee")
            self._acc_cost[k] = self._acc_cost.get(k, 0.0) + fees
        for (a_i, pc) in self.tax_keys:
            acct = self.accounts[a_i]
            tax = round(max(self._acc_cost.get((a_i, pc), 0.0), 0.0) * self.payer.tax_rate, 2)
            r = self._base_row("Tax", ms0, ms1)
            r.update({
                "line_item_usage_account_id": acct.id, "line_item_usage_account_name": acct.name,
                "line_item_product_code": pc, "line_item_usage_amount": 1.0, "line_item_unblended_cost": tax,
                "line_item_blended_cost": tax, "line_item_net_unblended_cost": tax,
                "line_item_line_item_description": f"Tax for product code {pc}", "line_item_tax_type": self.payer.tax_type,
                "pricing_public_on_demand_cost": 0.0,
                "product": [("product_name", next(s.product_name for s in AWS_SKUS if s.product_code == pc))],
            })
            rows.append(r)
        # ids
        for i, r in enumerate(rows):
            h = hash64(self.seed, 9, np.array([self.month.index * 100_000 + i + (7 if self.payer.payer_id == AWS_SUB_ID else 0) * 50_000]))
            r["identity_line_item_id"] = id_chars(np.repeat(h, 4) ^ np.arange(4, dtype=np.uint64), 13).tobytes().decode()
        return rows


AWS_SUB_ID = "420000000001"
AWS_MAIN_ID = "210987654321"


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
    ("2026-09-08", "hp-1b77e0", 6), ("2026-09-22", "hp-93d5aa", 6), ("2026-10-06", "hp-4f2a9c", 6),
    ("2026-10-09", "hp-4f2a9c", 6), ("2026-10-13", "hp-4f2a9c", 6), ("2026-10-20", "hp-4f2a9c", 6),
    ("2026-10-27", "hp-c08e51", 8),
)
# The waste scenarios the governance marts must find (dbt models/marts/governance: fct_waste_candidates,
# fct_cost_avoidance; seed seeds/governance/waste_actions.csv), and one untagged shared profile. Fixed ids and
# amounts, independent of the seed.
PLANTED: tuple[PlantedLine, ...] = (
    # an idle endpoint: a SageMaker real-time endpoint hosting 24 h a day, no data processed at all
    PlantedLine("idle-endpoint", "sm-host-g5", "310000000031",
                f"{_SM}:310000000031:endpoint/ml-platform-prod-reranker-v1", _team_tags("ml-platform", "prod"), 1.0),
    # an idle endpoint acted on: deleted on 2026-10-10 (waste_actions.csv), its cost stops that day
    PlantedLine("acted-on-endpoint", "sm-host-g5", "310000000011",
                f"{_SM}:310000000011:endpoint/support-copilot-prod-canary", _team_tags("support-copilot", "prod"), 1.0,
                last="2026-10-09"),
    # an abandoned pilot: tagged project genai-pilot-claims without owner; used until 2026-09-14, still billed
    PlantedLine("abandoned-pilot", "sm-host-g5", "310000000021", f"{_SM}:310000000021:endpoint/genai-pilot-claims-ep",
                _PILOT_TAGS, 1.0),
    PlantedLine("abandoned-pilot", "sm-data-in", "310000000021", f"{_SM}:310000000021:endpoint/genai-pilot-claims-ep",
                _PILOT_TAGS, 0.2, last="2026-09-14"),
    PlantedLine("abandoned-pilot", "bedrock-c35s-in", "310000000021",
                "arn:aws:bedrock:us-east-1:310000000021:application-inference-profile/9c1a7e04b2d3", _PILOT_TAGS, 60.0,
                last="2026-09-14"),
    PlantedLine("abandoned-pilot", "bedrock-c35s-out", "310000000021",
                "arn:aws:bedrock:us-east-1:310000000021:application-inference-profile/9c1a7e04b2d3", _PILOT_TAGS, 12.0,
                last="2026-09-14"),
    PlantedLine("abandoned-pilot", "s3-std", "310000000021", "nw-genai-pilot-claims-data", _PILOT_TAGS, 800.0,
                per_month=True),
    # not waste, untagged shared services used every day, so that the allocation rules shared-genai-by-tokens and
    # sagemaker-by-transactions always have cost to split, whatever the seed: the GenAI gateway's Bedrock profile and
    # a shared inference endpoint (with its traffic)
    PlantedLine("shared-gateway", "bedrock-c35s-in", "310000000011",
                "arn:aws:bedrock:us-east-1:310000000011:application-inference-profile/5a7e6a7e3a7e", (), 40.0),
    PlantedLine("shared-inference", "sm-host-g5", "310000000051", f"{_SM}:310000000051:endpoint/shared-inference-ep",
                (), 1.0),
    PlantedLine("shared-inference", "sm-data-in", "310000000051", f"{_SM}:310000000051:endpoint/shared-inference-ep",
                (), 0.5),
    # SageMaker training jobs: the same spec (instance type, hours, hyperparameters) re-run four times in October
    *(PlantedLine("training-runs", "sm-train-g512x", "310000000021",
                  f"{_SM}:310000000021:training-job/robot-vision-grasp-ft-{day.replace('-', '')}",
                  _team_tags("robot-vision", "dev", hyperparameters_hash=hp), 1.0, days=(day,), start_hour=9, hours=h)
      for day, hp, h in _TRAINING),
)


def py_uuid_like(seed: int) -> str:
    from .enterprise import py_uuid

    return py_uuid(seed, 41, 1)


# ------------------------------------------------------------------ arrow helpers
def _const(v, n: int) -> pa.Array:
    if v is None:
        return pa.nulls(n, STR)
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([v], STR)).cast(STR)


def _masked_const(v: str, mask: np.ndarray) -> pa.Array:
    n = len(mask)
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32), mask=~mask), pa.array([v], STR)).cast(STR)


def _where(cond: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    return pc.if_else(pa.array(cond), a, b)


def _gather_map(src_off: np.ndarray, keys: pa.Array, vals: pa.Array, idx: np.ndarray, typ) -> pa.MapArray:
    counts = np.diff(src_off)[idx]
    n = len(idx)
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    total = int(off[-1])
    starts = src_off[idx]
    flat = np.repeat(starts - off[:-1], counts) + np.arange(total, dtype=np.int64)
    return pa.MapArray.from_arrays(pa.array(off.astype(np.int32)), keys.take(pa.array(flat)),
                                   vals.take(pa.array(flat)), type=typ)


def _strings_from_matrix(m: np.ndarray) -> pa.Array:
    n, w = m.shape
    offsets = (np.arange(n + 1, dtype=np.int32) * w)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(np.ascontiguousarray(m).tobytes()))


def _iso(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dtm(ms: int):
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _slot_strings(gen: AwsGenerator, slot: np.ndarray, kind: str) -> pa.Array:
    cache = getattr(gen, "_slot_cache", None)
    if cache is None:
        cache = {}
        gen._slot_cache = cache
    if kind not in cache:
        ms0 = gen.month.start_epoch_ms()
        step = gen.slot_hours * 3_600_000
        cache[kind] = pa.array([f"{_iso(ms0 + s * step)}/{_iso(ms0 + (s + 1) * step)}" for s in range(gen.n_slots)], STR)
    return cache[kind].take(pa.array(slot))
