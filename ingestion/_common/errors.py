"""Errors raised for bad input. Every message names the file, and where known the row and field,
and says what to do next."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TypeVar

E = TypeVar("E", bound=BaseException)


@dataclass
class BadInputError(Exception):
    """A file (or one row of it) cannot be loaded.

    ``row`` is the 1-based data row (the header is row 0) and ``field`` the source column, when known.
    """

    file: str
    reason: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    hint: str = "Fix or re-export the file and deliver it again; the previous delivery of this period stays loaded."
    delivery_id: str | None = None
    raw_record: str | None = None
    extra: dict = dataclasses.field(default_factory=dict)
    # a value error found on many rows: how many rows of the file have one (``affected``, of ``rows_read`` rows
    # read) and the first few as (row, field, value), so that one message tells the size of the problem
    affected: int | None = None
    rows_read: int | None = None
    examples: list[tuple[int, str, str | None]] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        val = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.reason}{val}{self.extent}. {self.hint}"

    @property
    def extent(self) -> str:
        """``; 3,360 of 31,104 rows have such a value, the first: row 1 'f' = 'None', ...`` when several rows of
        the file have the problem (empty otherwise)."""
        if not self.affected or (self.affected == 1 and len(self.examples) <= 1):
            return ""
        of = f" of {self.rows_read:,}" if self.rows_read else ""
        shown = ", ".join(f"row {r} {f!r} = {v!r}" for r, f, v in self.examples)
        fields = sorted({f for _, f, _ in self.examples})
        return (
            f"; {self.affected:,}{of} rows of the file have such a value"
            + (f" (fields seen: {', '.join(fields)})" if len(fields) > 1 else "")
            + f", the first {len(self.examples)}: {shown}"
        )

    def __str__(self) -> str:  # dataclass would otherwise print the repr
        return self.message

    def as_record(self) -> dict:
        return {
            "delivery_id": self.delivery_id,
            "source_file": self.file,
            "row_number": self.row if self.row is not None else 0,
            "field": self.field or "",
            "reason": self.reason,
            "value": self.value,
            "raw_record": self.raw_record,
            "hint": self.hint,
        }


def find_in_chain(exc: BaseException, kind: type[E]) -> E | None:
    """Walk an exception chain (causes, contexts, and the ``exception`` dlt wraps extraction errors in) to the
    first exception of ``kind``, if any."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        stack.extend([e.__cause__, e.__context__, getattr(e, "exception", None)])
    return None


def find_bad_input(exc: BaseException) -> BadInputError | None:
    """The BadInputError inside a (dlt-wrapped) exception chain, if any."""
    return find_in_chain(exc, BadInputError)


def transport_failure(exc: BaseException) -> str:
    """What a request that failed below HTTP (after the retries) means, for an error message: a page cut off
    mid-body, no answer within the timeout, or a failed connection (with the exception's type)."""
    import requests

    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the response body was cut off (truncated page)"
    if isinstance(exc, requests.Timeout):
        return f"no answer within the request timeout ({type(exc).__name__})"
    return f"the connection failed ({type(exc).__name__})"
