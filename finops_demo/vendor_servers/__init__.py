"""Local vendor API servers (real HTTP on 127.0.0.1) for the demo and the tests.

* :mod:`finops_demo.vendor_servers._base` - the shared base (auth, JSON, pagination cursor, fault injection).
* :mod:`finops_demo.vendor_servers.openai` - the OpenAI admin Usage and Costs API.
* :mod:`finops_demo.vendor_servers.anthropic` - the Anthropic Admin API usage and cost reports (and the beta
  Usage and Cost Analytics endpoints).

Run one for the demo with ``python -m finops_demo.vendor_servers.<vendor> --port N``.
"""

from finops_demo.vendor_servers._base import (
    Faults,
    HTTPError,
    Request,
    RequestRecord,
    Response,
    VendorServer,
    paginate,
)

__all__ = ["Faults", "HTTPError", "Request", "RequestRecord", "Response", "VendorServer", "paginate"]
