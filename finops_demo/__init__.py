"""The demo enterprise: a generator of billing exports, finance files and KPIs (`generator`) and the local vendor
API servers (`vendor_servers`: OpenAI, Anthropic, Stripe-style SaaS invoices) the demo and the tests load from.

Not production code: only the CLI's demo commands (`finops generate`, `--demo-vendors`, `finops demo-vendors`) and
the tests import it; the import-graph test fails if an ingestion, check or serving module does.
"""
