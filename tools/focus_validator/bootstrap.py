#!/usr/bin/env python3
"""Bootstrap the focus-validator virtualenv: a tool step of its own, run by CI before the conformance tests and by the
check (``data_quality/focus/venv.py``) when the virtualenv is missing. Standard library only (any Python 3.9+).

    python tools/focus_validator/bootstrap.py [--venv DIR]

``DIR`` defaults to ``$FINOPS_FOCUS_VALIDATOR_VENV`` or ``<repo>/.venv-focus-validator``. The validator needs Python
3.12 (found with :func:`find_python312`); the pins are ``requirements.txt`` beside this file. Idempotent: a marker
file (``.finops-focus-validator.json``) records a finished install, so a second run is a few stat() calls; concurrent
runs (pytest-xdist, a check beside CI) are serialized with a lock file. Progress goes to stderr; the last stdout line
is the virtualenv's path. Exit 0 ready, 69 (EX_UNAVAILABLE) when it cannot be created (no Python 3.12, pip failed),
with the reason and what to do on stderr.
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
REQUIREMENTS_FILE = HERE / "requirements.txt"
VENV_ENV_VAR = "FINOPS_FOCUS_VALIDATOR_VENV"
MARKER = ".finops-focus-validator.json"
EXIT_CANNOT_RUN = 69
_IMPORT_CHECK = (
    "import importlib.metadata as m, focus_validator.main, pyarrow; "
    "print(m.version('focus-validator'), pyarrow.__version__)"
)


class ValidatorNotAvailable(RuntimeError):
    """The validator venv cannot be created (no Python 3.12, pip failure, ...)."""


def requirements(path: Path = REQUIREMENTS_FILE) -> tuple[str, ...]:
    """The pinned requirements (comments and blank lines dropped)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line)


def validator_version(path: Path = REQUIREMENTS_FILE) -> str:
    """The pinned focus-validator version (``focus-validator==X``)."""
    for req in requirements(path):
        name, sep, version = req.partition("==")
        if name.strip() == "focus-validator" and sep:
            return version.strip()
    raise ValueError(f"{path}: no pinned focus-validator==VERSION line")


def default_venv() -> Path:
    """``$FINOPS_FOCUS_VALIDATOR_VENV`` if set (read now), else ``<repo>/.venv-focus-validator``."""
    env = os.environ.get(VENV_ENV_VAR)
    return Path(env).expanduser() if env else REPO_ROOT / ".venv-focus-validator"


def _python_version(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    m = re.match(r"^(\d+)\.(\d+)$", out.stdout.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def find_python312() -> str:
    """Locate a working Python 3.12 interpreter.

    Tried in order: ``pyenv which python3.12``, ``python3.12`` on PATH (pyenv shims that do not resolve are
    rejected because every candidate is executed), ``$PYENV_ROOT``/``~/.pyenv/versions/3.12*/bin/python3.12``.
    """
    candidates: list[str] = []
    if shutil.which("pyenv"):
        try:
            out = subprocess.run(
                ["pyenv", "which", "python3.12"], capture_output=True, text=True, timeout=30, check=False
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    on_path = shutil.which("python3.12")
    if on_path:
        candidates.append(on_path)
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "3.12*", "bin", "python3.12")), reverse=True)
    seen = set()
    for cand in candidates:
        if cand in seen:
            continue
        seen.add(cand)
        if _python_version(cand) == (3, 12):
            return cand
    raise ValidatorNotAvailable(
        f"focus-validator {validator_version()} needs Python 3.12 and none was found (tried `pyenv which python3.12`, "
        "`python3.12` on PATH, ~/.pyenv/versions/3.12*/bin/python3.12). Install it, e.g. "
        "`pyenv install 3.12` (or `uv python install 3.12`, or your OS package `python3.12` + `python3.12-venv`), "
        "then re-run."
    )


def venv_bin(venv: Path, name: str) -> Path:
    if os.name == "nt":  # pragma: no cover - not used on our machines
        return venv / "Scripts" / (name + (".exe" if not name.endswith(".exe") else ""))
    return venv / "bin" / name


def validator_package_dir(venv: Path) -> Path | None:
    hits = sorted(glob.glob(str(venv / "lib" / "python3*" / "site-packages" / "focus_validator")))
    if not hits and os.name == "nt":  # pragma: no cover
        hits = glob.glob(str(venv / "Lib" / "site-packages" / "focus_validator"))
    return Path(hits[-1]) if hits else None


def venv_ready(venv: Path, version: str | None = None) -> bool:
    """The marker of a finished install of the pinned version is there, with the validator's executables."""
    marker = venv / MARKER
    if not marker.exists():
        return False
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return (
        info.get("focus_validator") == (version or validator_version())
        and venv_bin(venv, "focus-validator").exists()
        and venv_bin(venv, "python").exists()
        and validator_package_dir(venv) is not None
    )


def bootstrap(venv_dir: Path | None = None) -> Path:
    """Create (idempotently) the virtualenv holding the pinned focus-validator and pyarrow; return its path."""
    venv = Path(venv_dir).expanduser() if venv_dir is not None else default_venv()
    version = validator_version()
    reqs = requirements()
    venv = venv.resolve()
    if venv_ready(venv, version):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Lock outside the repo/venv (the venv dir may be removed and re-created under the lock).
    digest = hashlib.sha256(str(venv).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"finops-focus-validator-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if venv_ready(venv, version):
                return venv
            py = venv_bin(venv, "python")
            if not (py.exists() and _python_version(str(py)) == (3, 12)):
                if venv.exists():
                    shutil.rmtree(venv)
                py312 = find_python312()
                print(f"[focus-validator] creating virtualenv {venv} with {py312}", file=sys.stderr, flush=True)
                subprocess.run([py312, "-m", "venv", str(venv)], check=True)
            print(
                f"[focus-validator] pip install {' '.join(reqs)} into {venv} (first run only, ~30 s - 3 min) ...",
                file=sys.stderr,
                flush=True,
            )
            t0 = time.monotonic()
            proc = subprocess.run(
                [
                    str(py),
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--progress-bar",
                    "off",
                    *reqs,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise ValidatorNotAvailable(
                    f"pip install {' '.join(reqs)} into {venv} failed "
                    f"(exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
                )
            check = subprocess.run(
                [
                    str(py),
                    "-c",
                    _IMPORT_CHECK,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if check.returncode != 0:
                raise ValidatorNotAvailable(f"focus-validator does not import in {venv}:\n{check.stderr[-4000:]}")
            fv_version, pa_version = check.stdout.split()
            if fv_version != version:
                raise ValidatorNotAvailable(f"expected focus-validator {version}, got {fv_version}")
            (venv / MARKER).write_text(
                json.dumps({"focus_validator": fv_version, "pyarrow": pa_version, "python": str(py)}) + "\n"
            )
            print(
                f"[focus-validator] ready in {time.monotonic() - t0:.0f} s "
                f"(focus-validator {fv_version}, pyarrow {pa_version})",
                file=sys.stderr,
                flush=True,
            )
            return venv
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/focus_validator/bootstrap.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--venv", default=None, help=f"virtualenv directory (default: ${VENV_ENV_VAR} or <repo>/.venv-focus-validator)"
    )
    args = parser.parse_args(argv)
    try:
        venv = bootstrap(Path(args.venv) if args.venv else None)
    except (ValidatorNotAvailable, subprocess.CalledProcessError, OSError) as exc:
        print(f"[focus-validator] cannot create the virtualenv: {exc}", file=sys.stderr, flush=True)
        return EXIT_CANNOT_RUN
    print(venv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
