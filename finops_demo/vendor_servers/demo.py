"""The demo's AI vendor APIs: the local OpenAI and Anthropic servers and the Stripe-style invoices server of the AI
SaaS vendors (Cursor, ElevenLabs, Mistral AI), started in process on free ports, and the ``SOURCES__*``
environment that points the dlt sources at them.

``make demo`` (``finops run --demo-vendors``) and ``make dev`` (``finops demo-vendors -- dg dev``) use
:func:`demo_vendor_servers`. The organisations are the demo enterprise's: OpenAI ``northwind``, Anthropic
``northwind-robotics`` and ``northwind-research`` (:data:`~finops_demo.vendor_servers.anthropic.DEMO_ORGANIZATIONS`).
The window is fixed to the demo billing months (2026-09-01 .. 2026-11-01) so that the demo is deterministic. The
SaaS vendors are served by one Stripe-style server under ``/<vendor slug>`` (``SOURCES__SAAS_INVOICES__VENDORS``;
their invoices: :func:`~finops_demo.vendor_servers.stripe.demo_invoices`).

The admin keys below (and :data:`~finops_demo.vendor_servers.stripe.DEMO_SAAS_KEYS`) are fake constants that only
these local servers accept. They are set in the environment of the run and never printed; pointing ``base_url``
and the key at the real vendor is all a user changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from .anthropic import DEMO_ORGANIZATIONS, AnthropicServer
from .openai import OpenAIServer
from .stripe import DEMO_SAAS_VENDORS, StripeServer, demo_vendors_config

DEMO_START = "2026-09-01"
DEMO_END = "2026-11-01"  # exclusive
OPENAI_ORG = "northwind"
ANTHROPIC_ORGS = tuple(DEMO_ORGANIZATIONS)

_OPENAI_KEYS = {"sk-admin-demo-northwind-local-only": OPENAI_ORG}
_ANTHROPIC_KEYS = {f"sk-ant-admin01-demo-{org}-local-only": org for org in ANTHROPIC_ORGS}


def demo_environment(
    openai_base_url: str, anthropic_base_url: str, saas_vendors: list[dict[str, str]] | None = None
) -> dict[str, str]:
    """The ``SOURCES__*`` variables that load the demo organisations from the given local servers, and with
    ``saas_vendors`` (:func:`~finops_demo.vendor_servers.stripe.demo_vendors_config`) the SaaS vendors' invoices."""

    def orgs(keys: Mapping[str, str], base_url: str) -> str:
        return json.dumps([{"name": org, "api_key": key, "base_url": base_url} for key, org in keys.items()])

    env = {
        "SOURCES__OPENAI_USAGE__ORGANIZATIONS": orgs(_OPENAI_KEYS, openai_base_url),
        "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS": orgs(_ANTHROPIC_KEYS, anthropic_base_url),
    }
    for dataset in ("OPENAI_USAGE", "ANTHROPIC_USAGE"):
        env[f"SOURCES__{dataset}__START_DATE"] = DEMO_START
        env[f"SOURCES__{dataset}__END_DATE"] = DEMO_END
    if saas_vendors is not None:
        env["SOURCES__SAAS_INVOICES__VENDORS"] = json.dumps(saas_vendors)
        env["SOURCES__SAAS_INVOICES__START_DATE"] = DEMO_START
    return env


@dataclass
class DemoVendors:
    """The running demo servers (for the truth in tests: ``openai.total_cost``, ``anthropic.total_cost_cents``,
    ``saas.invoices``)."""

    openai: OpenAIServer
    anthropic: AnthropicServer
    variables: tuple[str, ...]  # the names of the environment variables set (values hold keys: not shown)
    saas: StripeServer | None = None  # the AI SaaS vendors' Stripe-style invoices API

    def describe(self) -> str:
        text = (
            f"OpenAI admin API {self.openai.base_url} (organisation {OPENAI_ORG}), Anthropic Admin API "
            f"{self.anthropic.base_url} (organisations {', '.join(ANTHROPIC_ORGS)}); "
            f"window {DEMO_START} .. {DEMO_END}"
        )
        if self.saas is not None:
            text += f"; SaaS invoices (Stripe-style) {self.saas.root_url}/<vendor> ({', '.join(DEMO_SAAS_VENDORS)})"
        return text


@contextmanager
def demo_vendor_servers(
    seed: int = 42, openai_port: int = 0, anthropic_port: int = 0, set_env: bool = True, saas_port: int = 0
) -> Iterator[DemoVendors]:
    """Serve the demo vendor APIs on 127.0.0.1 (free ports unless given) and, with ``set_env``, point the
    ``SOURCES__*`` environment at them; on exit the previous environment is restored and the servers stop."""
    with (
        OpenAIServer(_OPENAI_KEYS, seed=seed, port=openai_port) as oa,
        AnthropicServer(_ANTHROPIC_KEYS, seed=seed, port=anthropic_port) as an,
        StripeServer.demo(seed, port=saas_port) as saas,
    ):
        env = demo_environment(oa.base_url, an.base_url, demo_vendors_config(saas))
        saved = {k: os.environ.get(k) for k in env}
        if set_env:
            os.environ.update(env)
        try:
            yield DemoVendors(oa, an, tuple(env), saas)
        finally:
            if set_env:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
