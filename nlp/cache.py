"""Tables derived from installed data packages, kept on disk so that each process need not
build them again.

Owns where the cache lives (``$NEWSMON_CACHE_DIR``; else the user's cache folder that
``platformdirs`` names, ``~/.cache/newsmon`` on Linux; ``NEWSMON_CACHE_DIR=off`` turns it
off), the key of an entry (the Python version, the versions of the packages its builder
reads and the source of the modules that build it: an upgrade or an edit builds anew), and
the reading and atomic writing of an entry. An entry that is missing, of another key,
unreadable or corrupt is built again; a folder that cannot be written costs only the time
of the build, logged once.

Entries are pickles written by this user's own processes into a folder only this user can
write (created with mode 0700); like any cache under the home folder, it is trusted as the
home folder is.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

log = logging.getLogger(__name__)

CACHE_DIR_VARIABLE = "NEWSMON_CACHE_DIR"
OFF = "off"
T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder, or None when ``$NEWSMON_CACHE_DIR`` is ``off``."""
    configured = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    if configured.lower() == OFF:
        return None
    if configured:
        return Path(configured).expanduser()
    import platformdirs
    return Path(platformdirs.user_cache_dir("newsmon"))


def entry_key(packages: Iterable[str], sources: Iterable[Path]) -> str:
    """The key of an entry built from `packages` (distribution names) by code in `sources`."""
    digest = hashlib.sha256(f"python {sys.version_info[0]}.{sys.version_info[1]}\n".encode())
    for package in packages:
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package} {version}\n".encode())
    for source in sources:
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:20]


def cached(name: str, build: Callable[[], T], *, packages: Iterable[str], sources: Iterable[Path]) -> T:
    """The entry `name` read from the cache folder, or built by `build()` and written there."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{entry_key(packages, sources)}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a torn or foreign file is rebuilt, whatever its fault
        log.info("cache entry %s is unreadable (%s); building it again", path, exc)
    value = build()
    _write(folder, path, value)
    return value


def _write(folder: Path, path: Path, value: object) -> None:
    temporary: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", delete=False) as handle:
            temporary = handle.name
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # readers see the old file or the whole new one
    except OSError as exc:
        log.warning("cannot write the cache entry %s (%s); each process builds it", path, exc)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    stem = path.name.rsplit("-", 1)[0]
    for old in folder.glob(f"{stem}-*.pickle"):  # entries of other keys: an older version's
        if old != path and len(old.name) == len(path.name):
            with contextlib.suppress(OSError):
                old.unlink()
