import dagster as dg

from orchestration.lib.resources import finops_resources


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=finops_resources())
