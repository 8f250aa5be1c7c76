"""Where the focus-validator virtualenv is, and getting it: the install itself is a tool step of its own,
``tools/focus_validator/bootstrap.py`` (pins in ``tools/focus_validator/requirements.txt``), run here when the
virtualenv is missing and by CI before the conformance tests."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPO_ROOT / "tools" / "focus_validator" / "bootstrap.py"


def _load_tool() -> ModuleType:
    """The bootstrap step's module (a standalone script beside its pins, not a package of the project): where the
    virtualenv is and what a finished install looks like are its functions, used here as they are."""
    spec = importlib.util.spec_from_file_location("_finops_focus_validator_bootstrap", BOOTSTRAP)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is part of the repository
        raise ImportError(f"cannot load {BOOTSTRAP}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_tool = _load_tool()
REQUIREMENTS_FILE: Path = _tool.REQUIREMENTS_FILE
VENV_ENV_VAR: str = _tool.VENV_ENV_VAR
MARKER: str = _tool.MARKER  # written by the bootstrap after a finished install
VALIDATOR_VERSION: str = _tool.validator_version()
default_validator_venv = _tool.default_venv
venv_bin = _tool.venv_bin
validator_package_dir = _tool.validator_package_dir


class ValidatorNotAvailable(RuntimeError):
    """The validator venv cannot be created (no Python 3.12, pip failure, ...)."""


def venv_ready(venv: Path) -> bool:
    """The bootstrap's marker of a finished install of the pinned version, with the validator's executables."""
    return _tool.venv_ready(venv, VALIDATOR_VERSION)


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
