"""Daily refresh of everything, and the job the landing sensor starts (and `finops run` runs)."""

import dagster as dg

from orchestration.lib.constants import CLOSE_GROUP, REFRESH_JOB

# every asset but the monthly close pack, which needs a billing-month partition (job monthly_close)
refresh_all = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(CLOSE_GROUP),
    description="Load every landed delivery, rebuild the dbt models, run all checks.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_all,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_all], schedules=[daily_refresh])
