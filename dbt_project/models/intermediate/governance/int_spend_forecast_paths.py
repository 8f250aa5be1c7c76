"""Daily spend forecasts with prediction intervals, for production and for the backtest, from one forecaster.

Input: int_daily_spend_series (settled days only). One path per series and run:

* run_type 'forecast': fitted on every settled day, forecast_horizon_days days ahead (fct_spend_forecast);
* run_type 'backtest': fitted without the last forecast_holdout_days settled days, which it then forecasts, by
  the forecaster's own choice of method (is_selected) and, when that is not already seasonal-naive, by the
  seasonal-naive baseline too (fct_forecast_backtest, fct_forecast_accuracy).

The forecaster (statsmodels ETSModel): additive-error exponential smoothing with additive weekly seasonality,
ETS(A,N,A) and ETS(A,Ad,A) (damped additive trend), the lower AICc wins; point forecast and the analytic forecast
variance of the fitted state-space model (get_prediction), intervals point +/- z * sd (80 %: z 1.2816, 95 %: z
1.9600). A series with fewer than forecast_min_history_days days, a flat one (the same amount every day of the last
two weeks: a fixed fee or commitment, which ETS would blur), one with more than forecast_max_zero_share days
without cost (intermittent), or one ETS cannot fit falls back to seasonal-naive: each day repeats the same weekday
of the last observed week, sd = RMSE of the in-sample seasonal differences x sqrt(weeks ahead) (Hyndman &
Athanasopoulos, FPP3 5.5); with less than a week of history, the mean of the history. A series that never went
below 0 is forecast never below 0 (bounds clipped at 0).

Floats here; the marts round to the cent and cast to DECIMAL.
"""
from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa

SEASON = 7
Z80 = 1.2815515655446004
Z95 = 1.959963984540054

SCHEMA = pa.schema([
    ("run_type", pa.string()),
    ("scope_type", pa.string()),
    ("scope_value", pa.string()),
    ("currency", pa.string()),
    ("method", pa.string()),
    ("is_selected", pa.bool_()),
    ("model_spec", pa.string()),
    ("fallback_reason", pa.string()),
    ("train_start_date", pa.date32()),
    ("train_end_date", pa.date32()),
    ("train_days", pa.int32()),
    ("forecast_date", pa.date32()),
    ("horizon_day", pa.int32()),
    ("point_forecast", pa.float64()),
    ("lower_80", pa.float64()),
    ("upper_80", pa.float64()),
    ("lower_95", pa.float64()),
    ("upper_95", pa.float64()),
])


def seasonal_naive(y: np.ndarray, h: int):
    """(method, spec, point, sd): the same weekday of the last observed week; the mean below one week."""
    n = len(y)
    steps = np.arange(h)
    if n >= SEASON:
        point = y[-SEASON:][steps % SEASON]
        resid = y[SEASON:] - y[:-SEASON]
        sigma = float(np.sqrt(np.mean(resid ** 2))) if len(resid) else 0.0
        return "seasonal_naive", "SNAIVE(7)", point.astype(float), sigma * np.sqrt(steps // SEASON + 1)
    sigma = float(np.std(y)) if n > 1 else 0.0
    return "mean", "MEAN", np.full(h, float(np.mean(y))), np.full(h, sigma * math.sqrt(1 + 1 / n))


def ets(y: np.ndarray, h: int):
    """(method, spec, point, sd) of the better of ETS(A,N,A) and ETS(A,Ad,A) by AICc, or None if neither fits."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    scale = float(np.mean(np.abs(y))) or 1.0  # fit on a unit scale: the optimiser's tolerances are absolute
    z = pd.Series(y / scale)  # a Series: get_prediction needs an index
    best, best_spec = None, None
    for trend, spec in ((None, "ETS(A,N,A)"), ("add", "ETS(A,Ad,A)")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ETSModel(z, error="add", trend=trend, damped_trend=trend is not None, seasonal="add",
                               seasonal_periods=SEASON, initialization_method="estimated").fit(disp=False)
        except Exception:  # noqa: BLE001, S112 - a model that cannot be fitted is simply not a candidate
            continue
        if np.isfinite(res.aicc) and (best is None or res.aicc < best.aicc):
            best, best_spec = res, spec
    if best is None:
        return None
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = best.get_prediction(start=n, end=n + h - 1)
    point = np.asarray(pred.predicted_mean, dtype=float) * scale
    sd = np.sqrt(np.maximum(np.asarray(pred.var_pred_mean, dtype=float), 0.0)) * scale
    if not (np.all(np.isfinite(point)) and np.all(np.isfinite(sd))):
        return None
    return "ets", best_spec, point, sd


def forecast(y: np.ndarray, h: int, min_history: int, max_zero_share: float):
    """(method, spec, fallback_reason, point, sd) for the next h days of y (the forecaster's choice)."""
    reason = None
    if len(y) < min_history:
        reason = "too_short"
    elif np.ptp(y[-2 * SEASON:]) <= 1e-6 * max(1.0, float(np.max(np.abs(y[-2 * SEASON:])))):
        reason = "flat"  # the same amount every day for two weeks: a fixed fee, repeated exactly
    elif float(np.mean(y == 0)) > max_zero_share:
        reason = "intermittent"
    else:
        fitted = ets(y, h)
        if fitted is not None:
            return (*fitted[:2], None, *fitted[2:])
        reason = "fit_failed"
    method, spec, point, sd = seasonal_naive(y, h)
    return method, spec, reason, point, sd


def _rows(out: dict, run_type: str, key: tuple, dates: list, method: str, selected: bool, spec: str,
          reason: str | None, point: np.ndarray, sd: np.ndarray, nonnegative: bool) -> None:
    h = len(point)
    lo80, hi80, lo95, hi95 = point - Z80 * sd, point + Z80 * sd, point - Z95 * sd, point + Z95 * sd
    if nonnegative:
        point, lo80, hi80, lo95, hi95 = (np.maximum(a, 0.0) for a in (point, lo80, hi80, lo95, hi95))
    last = dates[-1]
    values = {
        "run_type": [run_type] * h, "scope_type": [key[0]] * h, "scope_value": [key[1]] * h,
        "currency": [key[2]] * h, "method": [method] * h, "is_selected": [selected] * h, "model_spec": [spec] * h,
        "fallback_reason": [reason] * h, "train_start_date": [dates[0]] * h, "train_end_date": [last] * h,
        "train_days": [len(dates)] * h, "forecast_date": [last + dt.timedelta(days=i + 1) for i in range(h)],
        "horizon_day": list(range(1, h + 1)), "point_forecast": point.tolist(), "lower_80": lo80.tolist(),
        "upper_80": hi80.tolist(), "lower_95": lo95.tolist(), "upper_95": hi95.tolist(),
    }
    for k, v in values.items():
        out[k].extend(v)


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    horizon = int(meta.get("horizon_days", 90))
    holdout = int(meta.get("holdout_days", 14))
    min_history = int(meta.get("min_history_days", 28))
    max_zero_share = float(meta.get("max_zero_share", 0.5))

    series = dbt.ref("int_daily_spend_series").filter("is_settled").project(
        "scope_type, scope_value, currency, spend_date, cast(effective_cost as double) as y"
    ).order("scope_type, scope_value, currency, spend_date").fetchall()

    grouped: dict[tuple, tuple[list, list]] = {}
    for scope_type, scope_value, currency, day, y in series:
        dates, values = grouped.setdefault((scope_type, scope_value, currency), ([], []))
        dates.append(day)
        values.append(y)

    out: dict[str, list] = {f.name: [] for f in SCHEMA}
    for key, (dates, values) in grouped.items():
        y = np.asarray(values, dtype=float)
        nonnegative = bool(np.min(y) >= 0)
        method, spec, reason, point, sd = forecast(y, horizon, min_history, max_zero_share)
        _rows(out, "forecast", key, dates, method, True, spec, reason, point, sd, nonnegative)
        if len(y) >= holdout + SEASON:
            train, train_dates = y[:-holdout], dates[:-holdout]
            train_nonnegative = bool(np.min(train) >= 0)
            method, spec, reason, point, sd = forecast(train, holdout, min_history, max_zero_share)
            _rows(out, "backtest", key, train_dates, method, True, spec, reason, point, sd, train_nonnegative)
            if method != "seasonal_naive":
                method, spec, point, sd = seasonal_naive(train, holdout)
                _rows(out, "backtest", key, train_dates, method, False, spec, None, point, sd, train_nonnegative)
    return pa.Table.from_pydict(out, schema=SCHEMA)
