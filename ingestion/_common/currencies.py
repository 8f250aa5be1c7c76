"""The active ISO 4217 currency codes, one list for the whole project: the billing loaders refuse any other billing
currency at ingestion (:mod:`ingestion._common.values`), the Great Expectations suites check the raw tables and the
marts against it (``data_quality/gx/reference.py`` re-exports it).

In it: the national currencies and the fund codes of list one, the codes that can appear on a bill. Precious metals
(XAU, XAG, XPT, XPD), bond-market units (XBA..XBD), the SDR (XDR), XSU, XUA and the testing / "no currency" codes (XTS, XXX) are left out on purpose: nothing is billed in them.
Withdrawn codes still met in older exports during their transition (ANG until XCG replaces it, SLL next to SLE,
ZWL next to ZWG, CUC, BGN until the euro changeover) are kept. The dbt test ``iso_currency_code``
(``dbt_project/macros/finance.sql``) only checks the shape (three upper-case letters); this list checks the code.
"""
from __future__ import annotations

ISO_4217_CODES: frozenset[str] = frozenset((
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
    "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
    "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
    "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR",
    "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN",
    "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL"
))
