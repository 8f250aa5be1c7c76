import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.lib.dbt import dbt_executable
from orchestration.lib.settings import DBT_PROJECT_DIR


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                                  dbt_executable=dbt_executable()),
        }
    )
