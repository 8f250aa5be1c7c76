"""Where the focus-validator virtualenv is, and getting it: the install itself is a tool step of its own,
``tools/focus_validator/bootstrap.py`` (pins in ``tools/focus_validator/requirements.txt``), run here when the
virtualenv is missing and by CI before the conformance tests."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO_ROOT / "tools" / "focus_validator" / "bootstrap.py"
REQUIREMENTS_FILE = BOOTSTRAP.parent / "requirements.txt"
VENV_ENV_VAR = "FINOPS_FOCUS_VALIDATOR_VENV"
MARKER = ".finops-focus-validator.json"  # written by the bootstrap after a finished install


class ValidatorNotAvailable(RuntimeError):
    """The validator venv cannot be created (no Python 3.12, pip failure, ...)."""


def _pinned_version() -> str:
    for line in REQUIREMENTS_FILE.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if name.strip() == "focus-validator" and sep:
            return version.strip()
    raise ValueError(f"{REQUIREMENTS_FILE}: no pinned focus-validator==VERSION line")


VALIDATOR_VERSION = _pinned_version()


def default_validator_venv() -> Path:
    """``$FINOPS_FOCUS_VALIDATOR_VENV`` if set (read now), else ``<repo>/.venv-focus-validator``."""
    env = os.environ.get(VENV_ENV_VAR)
    return Path(env).expanduser() if env else REPO_ROOT / ".venv-focus-validator"


def venv_bin(venv: Path, name: str) -> Path:
    if os.name == "nt":  # pragma: no cover - not used on our machines
        return venv / "Scripts" / (name + (".exe" if not name.endswith(".exe") else ""))
    return venv / "bin" / name


def validator_package_dir(venv: Path) -> Path | None:
    hits = sorted(glob.glob(str(venv / "lib" / "python3*" / "site-packages" / "focus_validator")))
    if not hits and os.name == "nt":  # pragma: no cover
        hits = glob.glob(str(venv / "Lib" / "site-packages" / "focus_validator"))
    return Path(hits[-1]) if hits else None


def venv_ready(venv: Path) -> bool:
    """The bootstrap's marker of a finished install of the pinned version, with the validator's executables."""
    try:
        info = json.loads((venv / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return (
        info.get("focus_validator") == VALIDATOR_VERSION
        and venv_bin(venv, "focus-validator").exists()
        and venv_bin(venv, "python").exists()
        and validator_package_dir(venv) is not None
    )


def ensure_validator_venv(venv_dir: Path | None = None) -> Path:
    """The validator virtualenv (``venv_dir``, default :func:`default_validator_venv`), bootstrapped first when it is
    missing: ``tools/focus_validator/bootstrap.py --venv DIR`` (first run only, ~30 s - 3 min; its progress goes to
    stderr). A ready virtualenv costs a few stat() calls. Never touches the interpreter running this code."""
    venv = (Path(venv_dir).expanduser() if venv_dir is not None else default_validator_venv()).resolve()
    if venv_ready(venv):
        return venv
    # the bootstrap's progress ("[focus-validator] ...") goes on to stderr as it comes; its tail explains a failure
    proc = subprocess.Popen(
        [sys.executable, str(BOOTSTRAP), "--venv", str(venv)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:
        sys.stderr.write(line)
        lines.append(line)
    rc = proc.wait()
    if rc != 0 or not venv_ready(venv):
        raise ValidatorNotAvailable(
            f"{BOOTSTRAP.relative_to(REPO_ROOT)} --venv {venv} failed (exit {rc}): {''.join(lines).strip()[-4000:]}"
        )
    return venv
