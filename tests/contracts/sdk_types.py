"""Strict validation of a vendor API payload against the official SDK's pydantic response type (the contract the
local servers and the loaders meet). The SDKs' models are ``extra="allow"`` and their own parse is lenient, so
``strict=True`` alone lets an invented field through: :func:`validate_strictly` also fails on any field the type
does not declare."""

from __future__ import annotations

from typing import Any

import pydantic


def undeclared_fields(value: Any, path: str = "$") -> list[str]:
    """Paths of the fields of a validated SDK model (and its nested models) that its type does not declare."""
    out: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        out += [f"{path}.{k}" for k in (value.model_extra or {})]
        for name in type(value).model_fields:
            out += undeclared_fields(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += undeclared_fields(v, f"{path}[{i}]")
    return out


def validate_strictly(model: type[pydantic.BaseModel], body: str | bytes, what: str = "") -> pydantic.BaseModel:
    """``body`` (JSON) validated strictly against ``model``; raises on any mismatch or undeclared field."""
    obj = model.model_validate_json(body, strict=True)
    extra = undeclared_fields(obj)
    if extra:
        raise AssertionError(
            f"{what or model.__name__}: fields the SDK type {model.__name__} does not declare: {extra[:10]}"
        )
    return obj
