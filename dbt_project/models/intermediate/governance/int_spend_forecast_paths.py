"""Daily spend forecasts with prediction intervals, for production and for the backtest, from one forecaster.

Input: int_daily_spend_series (settled days only). Paths per series and run:

* run_type 'forecast': fitted on every settled day, forecast_horizon_days days ahead (fct_spend_forecast);
* run_type 'backtest': fitted without the last forecast_holdout_days settled days, which it then forecasts: the
  forecaster's choice (is_selected), its ETS component alone (method ets) and the seasonal-naive baseline of the
  raw training days, all from the training days only (fct_forecast_backtest, fct_forecast_accuracy).

The forecaster (method 'ensemble') is the mean of two forecasts made from the level-shift-adjusted history:

1. level shift: the one split of the history into a part before (>= 7 days) and after (>= 3 days) with the
   largest two-sample score |mean after - mean before| / (sigma * sqrt(1/n_before + 1/n_after)), sigma a robust
   noise scale (MAD of the day-to-day differences / sqrt 2). A score of forecast_level_shift_min_score (5) or more
   is a level shift (pure noise rarely scores above 3.5 on 60 days): the days before it are moved to the level
   after it (additively; level_shift_date = first day after). Otherwise the history is used as is.
2. ETS (statsmodels ETSModel) on that history: additive-error exponential smoothing with additive weekly
   seasonality, ETS(A,N,A) and ETS(A,Ad,A) (damped additive trend), the lower AICc; point forecast and the
   analytic forecast variance of the fitted state-space model (get_prediction).
3. seasonal-naive on that history: each day repeats the same weekday of the last week.

Point = the mean of the two; sd = the mean of the two sds (the sd of an average of two errors is at most the
average of their sds, equality when they are perfectly correlated: a conservative, coherent interval);
intervals point +/- z * sd (80 %: z 1.2816, 95 %: z 1.9600). Why this and not ETS alone or a per-series
choice: a step in the level pushes ETS's level smoothing to 1 (a random walk carrying the last day's noise) and
blurs its seasonal states; seasonal-naive follows a step after a week but carries one day's noise per weekday;
their errors are far from perfectly correlated, so their mean beats the baseline more steadily than ETS alone
(on the demo, scored from 17 forecast origins; README "Budgets and forecasts"). A per-series
choice among ETS, seasonal-naive and their mean by rolling-origin validation on the training days (origins 7 and
14 days before its end) was tried and was worse and less stable than always taking the mean.

A series with fewer than forecast_min_history_days days, a flat one (the same amount every day of the last two
weeks: a fixed fee or commitment, which ETS would blur), one with more than forecast_max_zero_share days without
cost (intermittent), or one ETS cannot fit falls back to plain seasonal-naive of the raw history, sd = RMSE of
the in-sample seasonal differences x sqrt(weeks ahead) (Hyndman & Athanasopoulos, FPP3 5.5); with less than a
week of history, the mean of the history. A series that never went below 0 is forecast never below 0 (bounds
clipped at 0).

Floats here; the marts round to the cent and cast to DECIMAL.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import glob
import math
import os
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa

SEASON = 7
Z80 = 1.2815515655446004
Z95 = 1.959963984540054

SCHEMA = pa.schema(
    [
        ("run_type", pa.string()),
        ("scope_type", pa.string()),
        ("scope_value", pa.string()),
        ("currency", pa.string()),
        ("method", pa.string()),
        ("is_selected", pa.bool_()),
        ("model_spec", pa.string()),
        ("fallback_reason", pa.string()),
        ("level_shift_date", pa.date32()),
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
    ]
)


@contextlib.contextmanager
def one_blas_thread():
    """Run this thread's BLAS calls single-threaded (numpy's and scipy's bundled OpenBLAS, thread-local).

    The fits are tiny: waking OpenBLAS's thread pool for each of the optimiser's calls made the model 4-7 times
    slower on a 2-core machine (38 s against 8 s on the demo). openblas_set_num_threads_local only touches the
    calling thread and returns the previous setting, restored on exit; without such a library this does nothing.
    """
    import numpy
    import scipy

    restore = []
    for package in (numpy, scipy):
        where = os.path.dirname(package.__file__)
        for path in glob.glob(f"{where}.libs/*openblas*") + glob.glob(f"{where}/.dylibs/*openblas*"):
            try:
                set_local = ctypes.CDLL(path).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            set_local.argtypes, set_local.restype = [ctypes.c_int], ctypes.c_int
            restore.append((set_local, set_local(1)))
    try:
        yield
    finally:
        for set_local, previous in reversed(restore):
            set_local(previous)


def seasonal_naive(y: np.ndarray, h: int):
    """(method, spec, point, sd): the same weekday of the last observed week; the mean below one week."""
    n = len(y)
    steps = np.arange(h)
    if n >= SEASON:
        point = y[-SEASON:][steps % SEASON]
        resid = y[SEASON:] - y[:-SEASON]
        sigma = float(np.sqrt(np.mean(resid**2))) if len(resid) else 0.0
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
                res = ETSModel(
                    z,
                    error="add",
                    trend=trend,
                    damped_trend=trend is not None,
                    seasonal="add",
                    seasonal_periods=SEASON,
                    initialization_method="estimated",
                ).fit(disp=False)
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


def level_shift(y: np.ndarray, min_score: float, min_before: int = SEASON, min_after: int = 3) -> int | None:
    """Index of the first day after the most significant shift in the mean of y, or None below min_score."""
    n = len(y)
    if n < min_before + min_after:
        return None
    d = np.diff(y)
    sigma = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / math.sqrt(2)
    if sigma <= 0:
        sigma = float(np.std(d)) / math.sqrt(2)
    if sigma <= 0:
        return None
    t = np.arange(min_before, n - min_after + 1)
    cum = np.cumsum(y)
    before = cum[t - 1] / t
    after = (cum[-1] - cum[t - 1]) / (n - t)
    score = np.abs(after - before) / (sigma * np.sqrt(1 / t + 1 / (n - t)))
    best = int(np.argmax(score))
    return int(t[best]) if score[best] >= min_score else None


def forecast(y: np.ndarray, h: int, min_history: int, max_zero_share: float, shift_min_score: float):
    """The forecaster's choice for the next h days of y, and its components.

    Returns (selected, components, shift): selected = (method, spec, fallback_reason, point, sd); components =
    [(method, spec, point, sd)] of an ensemble (empty for a fallback); shift = level-shift index or None.
    """
    reason = None
    if len(y) < min_history:
        reason = "too_short"
    elif np.ptp(y[-2 * SEASON :]) <= 1e-6 * max(1.0, float(np.max(np.abs(y[-2 * SEASON :])))):
        reason = "flat"  # the same amount every day for two weeks: a fixed fee, repeated exactly
    elif float(np.mean(y == 0)) > max_zero_share:
        reason = "intermittent"
    else:
        shift = level_shift(y, shift_min_score)
        adjusted = y
        if shift is not None:
            adjusted = y.astype(float).copy()
            adjusted[:shift] += float(np.mean(y[shift:])) - float(np.mean(y[:shift]))
        fitted = ets(adjusted, h)
        if fitted is not None:
            naive = seasonal_naive(adjusted, h)
            point = (fitted[2] + naive[2]) / 2
            sd = (fitted[3] + naive[3]) / 2
            spec = f"MEAN({fitted[1]}, {naive[1]})"
            return ("ensemble", spec, None, point, sd), [fitted, naive], shift
        reason = "fit_failed"
    method, spec, point, sd = seasonal_naive(y, h)
    return (method, spec, reason, point, sd), [], None


def _rows(
    out: dict,
    run_type: str,
    key: tuple,
    dates: list,
    method: str,
    selected: bool,
    spec: str,
    reason: str | None,
    shift: int | None,
    point: np.ndarray,
    sd: np.ndarray,
    nonnegative: bool,
) -> None:
    h = len(point)
    lo80, hi80, lo95, hi95 = point - Z80 * sd, point + Z80 * sd, point - Z95 * sd, point + Z95 * sd
    if nonnegative:
        point, lo80, hi80, lo95, hi95 = (np.maximum(a, 0.0) for a in (point, lo80, hi80, lo95, hi95))
    last = dates[-1]
    values = {
        "run_type": [run_type] * h,
        "scope_type": [key[0]] * h,
        "scope_value": [key[1]] * h,
        "currency": [key[2]] * h,
        "method": [method] * h,
        "is_selected": [selected] * h,
        "model_spec": [spec] * h,
        "fallback_reason": [reason] * h,
        "level_shift_date": [dates[shift] if shift is not None else None] * h,
        "train_start_date": [dates[0]] * h,
        "train_end_date": [last] * h,
        "train_days": [len(dates)] * h,
        "forecast_date": [last + dt.timedelta(days=i + 1) for i in range(h)],
        "horizon_day": list(range(1, h + 1)),
        "point_forecast": point.tolist(),
        "lower_80": lo80.tolist(),
        "upper_80": hi80.tolist(),
        "lower_95": lo95.tolist(),
        "upper_95": hi95.tolist(),
    }
    for k, v in values.items():
        out[k].extend(v)


def model(dbt, session):
    dbt.config(materialized="table")
    # the forecast policy: seed forecast_policy (one row; docs/marts/policies.md)
    policy = (
        dbt.ref("forecast_policy")
        .project("horizon_days, holdout_days, min_history_days, max_zero_share, level_shift_min_score")
        .fetchall()
    )
    if len(policy) != 1:
        raise ValueError(f"seed forecast_policy must hold exactly one row, it holds {len(policy)}")
    horizon, holdout, min_history = (int(v) for v in policy[0][:3])
    max_zero_share, shift_score = (float(v) for v in policy[0][3:])

    series = (
        dbt.ref("int_daily_spend_series")
        .filter("is_settled")
        .project("scope_type, scope_value, currency, spend_date, cast(effective_cost as double) as y")
        .order("scope_type, scope_value, currency, spend_date")
        .fetchall()
    )

    grouped: dict[tuple, tuple[list, list]] = {}
    for scope_type, scope_value, currency, day, y in series:
        dates, values = grouped.setdefault((scope_type, scope_value, currency), ([], []))
        dates.append(day)
        values.append(y)

    out: dict[str, list] = {f.name: [] for f in SCHEMA}
    with one_blas_thread():
        _forecast_all(out, grouped, horizon, holdout, min_history, max_zero_share, shift_score)
    return pa.Table.from_pydict(out, schema=SCHEMA)


def _forecast_all(
    out: dict, grouped: dict, horizon: int, holdout: int, min_history: int, max_zero_share: float, shift_score: float
) -> None:
    for key, (dates, values) in grouped.items():
        y = np.asarray(values, dtype=float)
        nonnegative = bool(np.min(y) >= 0)
        (method, spec, reason, point, sd), _, shift = forecast(y, horizon, min_history, max_zero_share, shift_score)
        _rows(out, "forecast", key, dates, method, True, spec, reason, shift, point, sd, nonnegative)
        if len(y) >= holdout + SEASON:
            train, train_dates = y[:-holdout], dates[:-holdout]
            nonneg = bool(np.min(train) >= 0)
            selected, components, shift = forecast(train, holdout, min_history, max_zero_share, shift_score)
            method, spec, reason, point, sd = selected
            _rows(out, "backtest", key, train_dates, method, True, spec, reason, shift, point, sd, nonneg)
            if components:  # the ETS component as fitted, for the record
                c_method, c_spec, c_point, c_sd = components[0]
                _rows(out, "backtest", key, train_dates, c_method, False, c_spec, None, shift, c_point, c_sd, nonneg)
            if method != "seasonal_naive":  # the baseline: plain seasonal-naive of the raw training days
                b_method, b_spec, b_point, b_sd = seasonal_naive(train, holdout)
                _rows(out, "backtest", key, train_dates, b_method, False, b_spec, None, None, b_point, b_sd, nonneg)
