"""Atomic output (temporary file in the same folder, then rename) and spreadsheet-safe cells."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from csperf.errors import CsperfError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@contextlib.contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """Yield a temporary path beside `destination`; on success it replaces the destination.

    On any failure the temporary file is removed and the destination is left untouched.
    """
    folder = destination.parent if str(destination.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CsperfError(f"{destination}: cannot create the folder {folder} ({exc.strerror})") from None
    handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    temp_path = Path(temporary)
    try:
        yield temp_path
        _settle(temp_path, destination)
        os.replace(temp_path, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            temp_path.unlink()
        raise


def _settle(temporary: Path, destination: Path) -> None:
    """Before the rename: the usual permissions and the bytes on disk.

    mkstemp creates the file readable by its owner only; a report is shared like any file the
    user writes (the umask's mode, or the mode of the report it replaces). fsync makes the rename
    safe against a power cut as well as a kill.
    """
    try:
        mode = destination.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())


def write_text_atomic(destination: Path, text: str) -> None:
    with atomic_path(destination) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_atomic(destination: Path, write: Callable[[Path], None]) -> None:
    with atomic_path(destination) as temporary:
        write(temporary)
