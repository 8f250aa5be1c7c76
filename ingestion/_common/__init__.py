"""Shared machinery for the billing-export sources: landing-zone discovery, streaming readers,
Arrow/DuckDB batch transforms with row-level error reporting, and the dlt source/run loop.

Nothing here imports Dagster."""
