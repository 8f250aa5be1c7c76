"""The AWS catalogue of the demo: the CUR 2.0 column set, the SKUs the fleet is drawn from, and the payer ids.

Declarations only (plus the small per-SKU formatting the usage and tail rows share); the fleet is planned in
``aws_plan.py`` / ``aws_fleet.py``, rows are written by ``aws_usage.py`` and ``aws_tail.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from .enterprise import py_hex

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
    ("reservation_amortized_upfront_cost_for_usage", DBL),
    ("reservation_amortized_upfront_fee_for_billing_period", DBL),
    ("reservation_availability_zone", STR), ("reservation_effective_cost", DBL), ("reservation_end_time", STR),
    ("reservation_modification_status", STR), ("reservation_net_amortized_upfront_cost_for_usage", DBL),
    ("reservation_net_amortized_upfront_fee_for_billing_period", DBL), ("reservation_net_effective_cost", DBL),
    ("reservation_net_recurring_fee_for_usage", DBL),
    ("reservation_net_unused_amortized_upfront_fee_for_billing_period", DBL),
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
    ("savings_plan_instance_type_family", STR),
    ("savings_plan_net_amortized_upfront_commitment_for_billing_period", DBL),
    ("savings_plan_net_recurring_commitment_for_billing_period", DBL),
    ("savings_plan_net_savings_plan_effective_cost", DBL),
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
           ("website", "data-lake", "ml-platform", "robot-vision", "fraud-model"), 8,
           desc="$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)",
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
           "RunInstances", "GB", 0.09, "Data Transfer", "metered", 1, 40,
           ("website", "support-copilot", "data-lake"), 3,
           desc="$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",
           extra=(("transfer_type", "AWS Outbound"),)),
    AwsSku("bedrock-c35s-in", "AmazonBedrock", "Amazon Bedrock", "AmazonBedrock", "USE1-Claude3.5Sonnet-input-tokens",
           "InvokeModelInference", "1K tokens", 0.003, "Amazon Bedrock", "metered", 40, 2500,
           ("support-copilot", "doc-search", "fraud-model"), 2,
           desc="$0.003 per 1K input tokens for Claude 3.5 Sonnet in US East (N. Virginia)",
           extra=(("model", "Claude 3.5 Sonnet"), ("provider", "Anthropic"), ("inference_type", "input tokens"))),
    AwsSku("bedrock-c35s-out", "AmazonBedrock", "Amazon Bedrock", "AmazonBedrock",
           "USE1-Claude3.5Sonnet-output-tokens", "InvokeModelInference", "1K tokens", 0.015, "Amazon Bedrock",
           "metered",
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


def instance_family(s: AwsSku) -> str | None:
    if not s.instance_type:
        return None
    return s.instance_type.split(".")[1] if s.instance_type.startswith("ml.") else s.instance_type.split(".")[0]


def fmt_rate(x: float) -> str:
    return f"{x:.10f}".rstrip("0").rstrip(".") if x else "0.0"


def product_map(s: AwsSku) -> list[tuple[str, str]]:
    items = [("product_name", s.product_name), ("region", s.region), ("servicename", s.product_name)]
    items += list(s.extra)
    return items


def product_sku_id(s: AwsSku) -> str:
    return ("".join(c for c in py_hex(7, 900, SKU_INDEX[s.key], 16).upper() if c.isalnum()))[:16]


AWS_SUB_ID = "420000000001"
AWS_MAIN_ID = "210987654321"
