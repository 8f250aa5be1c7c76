"""One display name per vendor, for everything that prints vendors for people (the console summaries, the governance
findings): the AI vendor catalogue's canonical name (seed ``ai_vendor_catalogue``, ``reference`` schema), the name
the reconciliation, shadow-AI and AI-inventory marts already use. No Dagster import."""

from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["CATALOGUE", "VendorNames"]

CATALOGUE = "reference.ai_vendor_catalogue"


class VendorNames:
    """Maps a vendor name, a catalogue alias (``AWS``, ``azure``, ``anysphere``) or a price-book vendor code
    (``aws_bedrock``: by its first word ``aws``) to the catalogue's vendor (``Amazon Web Services``); a name the
    catalogue does not know, or any name without a catalogue, is shown as it is."""

    def __init__(self, names: dict[str, str] | None = None):
        self.names = dict(names or {})

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> VendorNames:
        """From the catalogue in the open warehouse ``con`` (empty when it has none)."""
        try:
            rows = con.execute(f"select vendor, alias from {CATALOGUE} order by priority desc, vendor").fetchall()
        except duckdb.CatalogException:  # no catalogue (seeds not built): names as they are
            return cls()
        names: dict[str, str] = {}
        for vendor, _alias in rows:
            names.setdefault(vendor.lower(), vendor)
        for vendor, alias in rows:  # the highest priority wins an alias two vendors share
            if alias:
                names.setdefault(alias.lower(), vendor)
        return cls(names)

    @classmethod
    def of(cls, warehouse: str | Path) -> VendorNames:
        """From the catalogue of the warehouse file ``warehouse`` (opened read-only; empty without one)."""
        if not Path(warehouse).exists():
            return cls()
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return cls.read(con)

    def __call__(self, name: str | None) -> str | None:
        if name is None:
            return None
        key = name.strip().lower()
        if key in self.names:
            return self.names[key]
        if "_" in key:  # a vendor code: aws_bedrock, azure_openai, google_vertex
            spaced, first = key.replace("_", " "), key.split("_", 1)[0]
            return self.names.get(spaced) or self.names.get(first) or name
        return name
