"""Runs FinOps Foundation's focus_converter CLI inside its own venv (``benchmarks/.venv-peer``).

focus-converter 1.0.0 starts one writer process per core with ``multiprocessing`` after polars/pyarrow have
started their thread pools; with the default ``fork`` start method on Linux a writer deadlocks (observed:
a 20k-row conversion never finishes). ``spawn`` avoids it. When the CLI fails, its writer processes are
never told to stop and the process would hang forever, so they are terminated here. Nothing else is
changed: same CLI, same arguments. This file must not import the benchmarks package (other interpreter).
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.set_start_method("spawn", force=True)
    from focus_converter.main import app

    sys.argv[0] = "focus-converter"
    code = 1
    try:
        app()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        for p in multiprocessing.active_children():
            p.terminate()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
