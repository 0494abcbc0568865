"""Download with checksum verification, and archive extraction that cannot escape.

A file is fetched to a temporary name, hashed while it streams, and renamed into
place only when its checksum matches. A mismatching file is kept aside as
`<name>.corrupt` for inspection, never used.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from ..checksums import CHUNK_BYTES, file_digest
from ..errors import ChecksumError, DataError


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: where it lives and what its md5 must be."""

    url: str
    filename: str
    md5: str

    def from_mirror(self, mirror: str | None) -> RemoteFile:
        """The same file served under another base URL (clusters often have mirrors)."""
        if not mirror:
            return self
        return RemoteFile(
            url=f"{mirror.rstrip('/')}/{self.filename}", filename=self.filename, md5=self.md5
        )


def verify_checksum(path: Path, md5: str) -> None:
    """Raise ChecksumError (and move the file aside) unless `path` has the expected md5."""
    actual = file_digest(path, "md5")
    if actual != md5.lower():
        aside = path.with_name(path.name + ".corrupt")
        os.replace(path, aside)
        raise ChecksumError(
            f"checksum mismatch for {path.name}: expected md5 {md5}, got {actual}. "
            f"The file was moved aside to {aside}. If you use a mirror, check that it serves "
            f"the official file; otherwise delete it and rerun to download again."
        )


def fetch(remote: RemoteFile, directory: Path, timeout_s: float = 60.0) -> Path:
    """Return a local, checksum-verified copy of `remote` in `directory`.

    An existing file with the right checksum is reused (no network access).
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / remote.filename
    if target.exists():
        verify_checksum(target, remote.md5)
        return target
    try:
        with atomic_path(target) as tmp:
            with (
                urllib.request.urlopen(remote.url, timeout=timeout_s) as response,
                open(tmp, "wb") as out,
            ):
                shutil.copyfileobj(response, out, CHUNK_BYTES)
            # Verify before the rename so a bad download never takes the real name.
            actual = file_digest(tmp, "md5")
            if actual != remote.md5.lower():
                aside = target.with_name(target.name + ".corrupt")
                os.replace(tmp, aside)
                raise ChecksumError(
                    f"checksum mismatch for {remote.filename} downloaded from {remote.url}: "
                    f"expected md5 {remote.md5}, got {actual}. Kept aside as {aside}. "
                    f"Check the mirror (config 'download_mirror') or retry later."
                )
    except (urllib.error.URLError, OSError) as error:
        if isinstance(error, ChecksumError):
            raise
        raise DataError(
            f"could not download {remote.url}: {error}. Without internet access, copy "
            f"{remote.filename} into {directory} by hand, or set 'download_mirror' in the config."
        ) from error
    return target


def _safe_destination(root: Path, member_name: str) -> Path:
    destination = (root / member_name).resolve()
    if not destination.is_relative_to(root.resolve()):
        raise DataError(
            f"archive member {member_name!r} would extract outside {root}: refusing the archive"
        )
    return destination


def extract(archive: Path, directory: Path) -> Path:
    """Extract a .tar(.gz) or .zip into `directory`, refusing links and path traversal.

    Extraction goes to a temporary directory that is renamed into place, so an
    interrupted or refused extraction leaves nothing that looks complete.
    """
    done = directory / f".{archive.name}.extracted"
    if done.exists():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    # A private staging directory: concurrent jobs extracting the same archive don't collide.
    staging = Path(
        tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".partial", dir=directory.parent)
    )
    try:
        try:
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as bundle:
                    for member in bundle.infolist():
                        _safe_destination(staging, member.filename)
                    bundle.extractall(staging)
            else:
                with tarfile.open(archive) as bundle:
                    for member in bundle.getmembers():
                        _safe_destination(staging, member.name)
                        if member.issym() or member.islnk() or member.isdev():
                            raise DataError(
                                f"archive {archive.name} contains a link or device ({member.name}): refusing it"
                            )
                    bundle.extractall(staging, filter="data")
        except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise DataError(
                f"archive {archive} is corrupt or truncated ({error}); delete it and rerun to download it again"
            ) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    directory.mkdir(parents=True, exist_ok=True)
    for entry in staging.iterdir():
        target = directory / entry.name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        os.replace(entry, target)
    staging.rmdir()
    done.touch()
    return directory
