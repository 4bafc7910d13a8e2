"""Deliverable files in a directory: `make run`'s default (var/deliverables/).

objects/<key> are the files; uploads/<upload>/ a multipart upload until it completes. A file is
written under tmp/ (or assembled in its upload's directory) and linked into place when whole,
so a crash never leaves half an object where a reader would take it for whole; os.link fails
if the name exists, which keeps objects immutable even against two completions racing."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from services.deliverables.storage import (
    CHUNK,
    ObjectExists,
    ObjectMissing,
    StoredPart,
    check_key,
    copy_exactly,
)
from services.deliverables.storage.write_behind import copy_writing_behind


class DirectoryStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        for name in ("objects", "uploads", "tmp"):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    # --- objects ----------------------------------------------------------------------------

    def _object(self, key: str) -> Path:
        return self.root / "objects" / check_key(key)

    def put(self, key: str, body: BinaryIO, *, durable: bool = True) -> int:
        path = self._object(key)
        if path.exists():
            raise ObjectExists(key)
        with self._temporary() as (tmp, out):
            copy_writing_behind(body, out)
            out.flush()
            if durable:
                os.fsync(out.fileno())
            self._publish(tmp, path, key)
        return path.stat().st_size

    def sync(self, key: str) -> None:
        """The file's bytes, then its name in each directory up to objects/, to the disk (the
        link and the directories made for it are metadata a crash may lose too)."""
        path = self._object(key)
        try:
            _fsync(path)
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        top = self.root / "objects"
        while path != top:
            path = path.parent
            _fsync(path, os.O_DIRECTORY)

    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            handle = open(self._object(key), "rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return _read_range(handle, start, end)

    def size(self, key: str) -> int:
        try:
            return self._object(key).stat().st_size
        except FileNotFoundError:
            raise ObjectMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._object(key).exists()

    def delete(self, key: str) -> None:
        self._object(key).unlink(missing_ok=True)

    def presigned_url(self, key: str, seconds: int) -> str | None:
        return None  # only the service serves a directory's files

    # --- multipart --------------------------------------------------------------------------
    # uploads/<upload>/data is the file being assembled, each part written at its own offset
    # (the parts of an upload are all part_size bytes but the last), and parts/<number> marks
    # a part that arrived whole and reached the disk. Completing links the data into place: a
    # 20 GiB file is never copied, and takes its own size on disk, not twice it.

    def _upload_dir(self, upload: str) -> Path:
        return self.root / "uploads" / check_key(upload)

    def start_multipart(self, key: str, part_size: int) -> str:
        check_key(key)
        upload = uuid.uuid4().hex
        directory = self._upload_dir(upload)
        (directory / "parts").mkdir(parents=True)
        (directory / "part_size").write_text(str(part_size))
        (directory / "data").touch()
        return upload

    def upload_part(
        self, key: str, upload: str, number: int, body: BinaryIO, size: int
    ) -> StoredPart:
        directory = self._existing_upload(upload)
        part_size = int((directory / "part_size").read_text())
        marker = directory / "parts" / f"{number:05d}"
        # Unmarked while its bytes change: a part half-rewritten is never taken for whole.
        marker.unlink(missing_ok=True)
        with open(directory / "data", "r+b") as data:
            data.seek((number - 1) * part_size)
            copy_exactly(body, data, size)
            data.flush()
            os.fsync(data.fileno())
        etag = f"{number}-{size}"
        with self._temporary() as (tmp, out):
            out.write(etag.encode())
            os.replace(tmp, marker)
        return StoredPart(number, size, etag)

    def parts(self, key: str, upload: str) -> list[StoredPart]:
        directory = self._existing_upload(upload)
        found = []
        for path in sorted((directory / "parts").iterdir()):
            if path.name.isdigit():
                number, size = path.read_text().split("-")
                found.append(StoredPart(int(number), int(size), path.read_text()))
        return found

    def complete_multipart(self, key: str, upload: str, parts: list[StoredPart]) -> None:
        path = self._object(key)
        if path.exists():
            raise ObjectExists(key)
        directory = self._existing_upload(upload)
        data = directory / "data"
        with open(data, "r+b") as handle:
            handle.truncate(sum(part.size for part in parts))  # a last part sent longer once
            os.fsync(handle.fileno())
        self._publish(data, path, key)
        shutil.rmtree(directory)

    def abort_multipart(self, key: str, upload: str) -> None:
        shutil.rmtree(self._upload_dir(upload), ignore_errors=True)

    def _existing_upload(self, upload: str) -> Path:
        directory = self._upload_dir(upload)
        if not directory.is_dir():
            raise ObjectMissing(f"upload {upload}")
        return directory

    # --- helpers ----------------------------------------------------------------------------

    def _temporary(self):
        return _TemporaryFile(self.root / "tmp")

    @staticmethod
    def _publish(tmp: Path, path: Path, key: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tmp, path)  # atomic, and refuses an existing name
        except FileExistsError:
            raise ObjectExists(key) from None


class _TemporaryFile:
    """A file under `directory` to write and then link or rename into place; removed after."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        fd, name = tempfile.mkstemp(dir=self.directory)
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        return self.path, self.file

    def __exit__(self, *exc_info):
        self.file.close()
        self.path.unlink(missing_ok=True)  # (linked or renamed into place already, or waste)


def _read_range(handle: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = None if end is None else max(0, end - start)
        while remaining is None or remaining > 0:
            chunk = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


def _fsync(path: Path, flags: int = 0) -> None:
    handle = os.open(path, os.O_RDONLY | flags)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
