"""Landing-zone discovery: find export files under a local folder or an fsspec URL (s3://, az://, gs://)
and group them into *deliveries* following each provider's own export layout.

A delivery is the unit of restatement: one export's files for one billing period, as last delivered.
Re-delivering a period (new files, a new assembly/run folder, or files overwritten in place) changes the
delivery's fingerprint, and the loader replaces that export's period in the warehouse.

Layouts understood (paths relative to the landing root, any prefix before them):

* ``<export>/data/BILLING_PERIOD=YYYY-MM/[<version>/]<files>`` - AWS Data Exports (CUR 2.0, FOCUS).
  With "create new version" exports the newest version folder wins.
* ``<export>/YYYYMMDD-YYYYMMDD/[<assembly-or-run-id>/]<files>`` - AWS legacy CUR and Azure cost exports.
  A ``*Manifest.json`` beside the assemblies names the current one (legacy CUR); otherwise the newest run
  folder wins (Azure). Files directly in the range folder: the newest file wins (Azure exports v1).
* ``<export>/invoice_month=YYYYMM/<files>`` - GCP billing export extracts.
* ``<export>/YYYY/MM/<files>`` - year/month layouts (OCI and other FOCUS exports).
* anything else: each file is its own delivery, its periods taken from its rows.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import fsspec

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")

_RE_AWS = re.compile(r"^(?P<export>.+)/data/BILLING_PERIOD=(?P<y>\d{4})-(?P<m>\d{2})(?P<rest>/.+)$")
_RE_RANGE = re.compile(r"^(?P<export>.+)/(?P<y>\d{4})(?P<m>\d{2})\d{2}-\d{8}(?P<rest>/.+)$")
_RE_INVOICE = re.compile(r"^(?P<export>.+)/invoice_month=(?P<y>\d{4})(?P<m>\d{2})(?P<rest>/.+)$")
_RE_YM = re.compile(r"^(?P<export>.+)/(?P<y>\d{4})/(?P<m>\d{2})(?P<rest>/.+)$")


class LandingPathError(ValueError):
    """A path that would escape the landing root."""


_WIN_ABS = re.compile(r"^[A-Za-z]:[\\/]")


def _decoded(value: str) -> str:
    """``value`` percent-decoded until stable (``%252e`` -> ``%2e`` -> ``.``), backslashes as slashes."""
    for _ in range(4):
        nxt = unquote(value)
        if nxt == value:
            break
        value = nxt
    return value.replace("\\", "/")


def escapes(value: str) -> str | None:
    """Why ``value``, a path taken from the landing zone (a listed file's relative path, a manifest's report key),
    could point outside the landing root - a ``..`` or ``.`` segment, also percent-encoded (``%2e%2e``), an
    absolute path, a URL, a NUL byte - or None when it cannot."""
    plain = _decoded(value)
    if "\x00" in plain:
        return "it contains a NUL byte"
    if plain.startswith("/") or _WIN_ABS.match(plain) or "://" in plain:
        return "it is an absolute path or a URL"
    if any(seg in ("..", ".") for seg in plain.split("/")):
        return "it has a '..' or '.' segment" + (" (percent-encoded)" if plain != value.replace("\\", "/") else "")
    return None


@dataclass(frozen=True)
class FileRef:
    url: str  # absolute path or fsspec URL, as passed to fsspec.open
    rel: str  # path relative to the landing root (posix), used in errors and lineage
    size: int
    version: str  # mtime / etag / md5: anything that changes when the file is rewritten

    @property
    def name(self) -> str:
        return posixpath.basename(self.rel)


@dataclass
class Delivery:
    export_id: str
    period: str | None  # "YYYY-MM" from the layout, None when only the rows know it
    files: list[FileRef] = field(default_factory=list)
    layout: str = "file"
    format: str | None = None  # set by the sniffer

    @property
    def key(self) -> str:
        return f"{self.export_id}|{self.period or '*'}"

    @property
    def delivery_id(self) -> str:
        return f"{self.key}|{self.fingerprint[:12]}"

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.rel):
            h.update(f"{f.rel}\0{f.size}\0{f.version}\n".encode())
        return h.hexdigest()

    @property
    def rows_hint(self) -> int:
        return sum(f.size for f in self.files)


def is_data_file(path: str) -> bool:
    low = path.lower()
    base = posixpath.basename(low)
    if base.startswith((".", "_")) or "manifest" in base:
        return False
    return low.endswith(DATA_SUFFIXES)


def _fs_and_root(root: str) -> tuple[fsspec.AbstractFileSystem, str, str]:
    """Return (filesystem, root path inside that fs, url prefix to rebuild URLs)."""
    if "://" in root:
        fs, path = fsspec.core.url_to_fs(root)
        protocol = root.split("://", 1)[0]
        return fs, path.rstrip("/"), f"{protocol}://"
    p = Path(root).expanduser().resolve()
    return fsspec.filesystem("file"), p.as_posix(), ""


def _version(info: dict) -> str:
    for k in ("ETag", "etag", "md5", "content_md5", "mtime", "LastModified", "last_modified", "updated", "created"):
        if info.get(k) is not None:
            return str(info[k])
    return ""


def safe_rel(root_path: str, path: str) -> str:
    """Relative posix path of ``path`` under ``root_path``; refuses anything outside it (symlinks,
    ``..``), so that a landing zone cannot make the loader read files elsewhere."""
    root_n = posixpath.normpath(root_path)
    path_n = posixpath.normpath(path)
    if "://" not in root_path and Path(root_path).exists():
        real_root = Path(root_path).resolve()
        real = Path(path).resolve()
        if real != real_root and real_root not in real.parents:
            raise LandingPathError(f"{path} resolves outside the landing root {root_path}; refusing to read it.")
    if path_n != root_n and not path_n.startswith(root_n.rstrip("/") + "/"):
        raise LandingPathError(f"{path} is outside the landing root {root_path}; refusing to read it.")
    rel = posixpath.relpath(path_n, root_n) if path_n != root_n else posixpath.basename(path_n)
    why = escapes(rel)
    if why:  # e.g. an object key with a %2e%2e segment that a later URL decoding would turn into ".."
        raise LandingPathError(
            f"{path}: {why}, so it could point outside the landing root {root_path}; refusing "
            "to read it. Rename the file or folder in the landing zone."
        )
    return rel


def list_files(root: str, keep: Callable[[str], bool] = is_data_file) -> list[FileRef]:
    """All data files under ``root`` (a folder, a single file, or an fsspec URL); ``keep(path)`` says which files
    count (default: the billing exports' data files)."""
    fs, root_path, prefix = _fs_and_root(root)
    if fs.isfile(root_path):
        info = fs.info(root_path)
        parent = posixpath.dirname(root_path)
        return [FileRef(prefix + root_path, safe_rel(parent, root_path), int(info.get("size") or 0), _version(info))]
    if not fs.exists(root_path):
        raise FileNotFoundError(
            f"Landing root {root} does not exist. Set FINOPS_LANDING to the folder or URL where exports land, "
            "or run `finops generate` to create the demo landing zone."
        )
    out = []
    for path, info in sorted(fs.find(root_path, detail=True).items()):
        if info.get("islink"):
            safe_rel(root_path, path)  # a link may point inside the root, never outside it
            if not fs.isfile(path):
                continue
        elif info.get("type", "file") != "file":
            continue
        if not keep(path):
            continue
        out.append(FileRef(prefix + path, safe_rel(root_path, path), int(info.get("size") or 0), _version(info)))
    return out


def _manifest_assembly(fs: fsspec.AbstractFileSystem, range_dir: str) -> tuple[str | None, set[str]]:
    """Legacy CUR: ``<report>/<range>/<report>-Manifest.json`` names the current assemblyId and its files."""
    try:
        candidates = [p for p in fs.ls(range_dir, detail=False) if p.lower().endswith("manifest.json")]
    except (FileNotFoundError, NotADirectoryError):
        return None, set()
    for p in candidates:
        try:
            with fs.open(p, "rb") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and (doc.get("assemblyId") or doc.get("reportKeys")):
            # the manifest's content is the provider's (or anyone's who can write the landing zone): only each key's
            # file name is used, to select among the files listed under the root, so a key never opens a path itself.
            # A key is an S3 object key; AWS writes it with a leading "/" for a report without an S3 prefix
            # ("/<report>/<range>/<assembly>/<file>"), which is still a key inside the bucket. A key that could
            # mean anything else (a '..' or '.' segment, also percent-encoded, a URL, a drive letter, a NUL byte)
            # is no key AWS writes: the manifest is refused rather than guessed at.
            for what, value in [("assemblyId", doc.get("assemblyId"))] + [
                ("reportKeys entry", k) for k in doc.get("reportKeys") or []
            ]:
                if value is None:
                    continue
                key = str(value) if what == "assemblyId" else _bucket_key(str(value))
                why = escapes(key)
                if why or (what == "assemblyId" and "/" in _decoded(key)):
                    raise LandingPathError(
                        f"{p}: {what} {str(value)!r} is not a key inside the export ({why or 'it has a /'}); "
                        "refusing the manifest, nothing outside the landing root is read. A legacy CUR manifest "
                        "names its files by S3 key (<prefix>/<report>/<YYYYMMDD-YYYYMMDD>/<assemblyId>/<file>, "
                        "with a leading / when the report has no prefix) and its assemblyId by a folder name: "
                        "fix or remove the manifest in the landing zone (without it the newest assembly folder "
                        "is loaded), then load again."
                    )
            keys = {posixpath.basename(_bucket_key(str(k))) for k in doc.get("reportKeys") or []}
            return (str(doc["assemblyId"]) if doc.get("assemblyId") else None), keys
    return None, set()


def _bucket_key(key: str) -> str:
    """A manifest's S3 object key without the leading ``/`` AWS writes for a report without an S3 prefix."""
    return key.lstrip("/")


def group_deliveries(root: str, files: Iterable[FileRef] | None = None) -> list[Delivery]:
    """Group files into the latest delivery per (export, billing period)."""
    files = list_files(root) if files is None else list(files)
    fs, root_path, _ = _fs_and_root(root)
    single_file = fs.isfile(root_path)
    # (export, period, layout) -> version folder -> files
    groups: dict[tuple[str, str | None, str], dict[str, list[FileRef]]] = defaultdict(lambda: defaultdict(list))
    for f in files:
        rel = f.rel
        m = (
            None
            if single_file
            else (_RE_AWS.match(rel) or _RE_INVOICE.match(rel) or _RE_RANGE.match(rel) or _RE_YM.match(rel))
        )
        if m is None:
            groups[(f.url if single_file else rel, None, "file")][""].append(f)
            continue
        layout = {
            id(_RE_AWS): "aws",
            id(_RE_INVOICE): "invoice_month",
            id(_RE_RANGE): "range",
            id(_RE_YM): "year_month",
        }[id(m.re)]
        period = f"{m['y']}-{m['m']}"
        rest = m["rest"].strip("/").split("/")
        version = "/".join(rest[:-1])  # sub-folder(s) between the period folder and the file
        groups[(m["export"], period, layout)][version].append(f)

    deliveries = []
    for (export, period, layout), versions in groups.items():
        chosen = None
        manifest_keys: set[str] = set()
        if layout == "range":
            any_version, any_files = next(iter(versions.items()))
            range_dir = posixpath.dirname(posixpath.join(root_path, any_files[0].rel))
            for _ in range(len([p for p in any_version.split("/") if p])):
                range_dir = posixpath.dirname(range_dir)
            assembly, manifest_keys = _manifest_assembly(fs, range_dir)
            if assembly and assembly in versions:
                chosen = versions[assembly]
            elif manifest_keys:
                chosen = [f for fl in versions.values() for f in fl if f.name in manifest_keys] or None
        if chosen is None and len(versions) > 1:
            # newest version folder wins: the one whose newest file is newest
            chosen = max(versions.values(), key=lambda fl: max(_sortable(f.version) for f in fl))
        if chosen is None:
            chosen = next(iter(versions.values()))
        if layout == "range" and not manifest_keys and "" in versions and len(versions) == 1 and len(chosen) > 1:
            # Azure exports v1 write a new file per run into the range folder: the newest file is the delivery
            chosen = [max(chosen, key=lambda f: _sortable(f.version))]
        deliveries.append(
            Delivery(export_id=export, period=period, files=sorted(chosen, key=lambda f: f.rel), layout=layout)
        )
    return sorted(deliveries, key=lambda d: (d.export_id, d.period or ""))


def _sortable(version: str) -> tuple[int, float | str]:
    try:
        return (1, float(version))
    except ValueError:
        return (0, version)
