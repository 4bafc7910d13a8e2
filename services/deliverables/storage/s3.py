"""Deliverable files in any S3-compatible object store, through boto3.

Multipart uploads are S3's own: the store keeps the parts of an unfinished upload, so a
restarted process goes on from `parts` (ListParts). Immutability: `put` and `complete` look
for the key first; keys are fresh ids, so the check only guards against a bug, never a race
between users."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from services.deliverables.storage import (
    CHUNK,
    ObjectExists,
    ObjectMissing,
    StoredPart,
    check_key,
    copy_exactly,
)


class S3Store:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, environ: dict | None = None) -> S3Store:
        from shared import config

        def get(name):
            return config.get(f"IPMARKET_S3_{name}", environ)

        return cls.connect(
            endpoint_url=get("ENDPOINT_URL"),
            bucket=get("BUCKET"),
            region=get("REGION"),
            access_key_id=get("ACCESS_KEY_ID"),
            secret_access_key=get("SECRET_ACCESS_KEY"),
        )

    @classmethod
    def connect(
        cls, *, endpoint_url, bucket, region, access_key_id=None, secret_access_key=None
    ) -> S3Store:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                # Checksums only where S3 requires them: the trailing checksums that newer
                # botocore adds to every upload are not understood by every compatible store,
                # and each part's SHA-256 is checked by the service itself.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"},
                signature_version="s3v4",  # presigned URLs too (X-Amz-Expires, not SigV2's)
                retries={"max_attempts": 5, "mode": "standard"},
            ),
        )
        store = cls(client, bucket)
        store.ensure_bucket()
        return store

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    # --- objects ----------------------------------------------------------------------------

    def put(self, key: str, body: BinaryIO, *, durable: bool = True) -> int:
        if self.exists(key):
            raise ObjectExists(key)
        counted = _Counting(body)
        self.client.upload_fileobj(counted, self.bucket, check_key(key))  # multipart if large
        return counted.count

    def get(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        if end is not None and end <= start:
            return iter(())
        byte_range = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            answer = self.client.get_object(
                Bucket=self.bucket, Key=check_key(key), Range=byte_range
            )
        except ClientError as error:
            if _code(error) in {"NoSuchKey", "404"}:
                raise ObjectMissing(key) from None
            if _code(error) == "InvalidRange":  # a start at or past the end: nothing
                return iter(())
            raise
        return _chunks(answer["Body"])

    def size(self, key: str) -> int:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=check_key(key))["ContentLength"]
        except ClientError as error:
            if _code(error) in {"NoSuchKey", "404", "NotFound"}:
                raise ObjectMissing(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectMissing:
            return False
        return True

    def sync(self, key: str) -> None:
        pass  # an object is durable once its PUT (or its multipart's completion) answered

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def presigned_url(self, key: str, seconds: int) -> str | None:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=seconds
        )

    # --- multipart --------------------------------------------------------------------------

    def start_multipart(self, key: str, part_size: int) -> str:
        answer = self.client.create_multipart_upload(Bucket=self.bucket, Key=check_key(key))
        return answer["UploadId"]

    def upload_part(
        self, key: str, upload: str, number: int, body: BinaryIO, size: int
    ) -> StoredPart:
        # Spooled to disk first (never memory): boto3 must be able to send a part again after a
        # failed attempt, and a body shorter or longer than announced must not be sent at all.
        with tempfile.TemporaryFile() as spool:
            copy_exactly(body, spool, size)
            spool.seek(0)
            answer = self.client.upload_part(
                Bucket=self.bucket,
                Key=check_key(key),
                UploadId=upload,
                PartNumber=number,
                Body=spool,
                ContentLength=size,
            )
        return StoredPart(number, size, answer["ETag"])

    def parts(self, key: str, upload: str) -> list[StoredPart]:
        from botocore.exceptions import ClientError

        found, marker = [], 0
        while True:
            try:
                answer = self.client.list_parts(
                    Bucket=self.bucket, Key=check_key(key), UploadId=upload,
                    PartNumberMarker=marker,
                )  # fmt: skip
            except ClientError as error:
                if _code(error) == "NoSuchUpload":
                    raise ObjectMissing(f"upload {upload}") from None
                raise
            found += [
                StoredPart(p["PartNumber"], p["Size"], p["ETag"]) for p in answer.get("Parts", [])
            ]
            if not answer.get("IsTruncated"):
                return found
            marker = answer["NextPartNumberMarker"]

    def complete_multipart(self, key: str, upload: str, parts: list[StoredPart]) -> None:
        from botocore.exceptions import ClientError

        if self.exists(key):
            raise ObjectExists(key)
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=check_key(key),
                UploadId=upload,
                MultipartUpload={
                    "Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]
                },
            )
        except ClientError as error:
            if _code(error) == "NoSuchUpload":  # completed (or aborted) meanwhile
                raise ObjectMissing(f"upload {upload}") from None
            raise

    def abort_multipart(self, key: str, upload: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=check_key(key), UploadId=upload
            )
        except ClientError as error:
            if _code(error) not in {"NoSuchUpload", "404"}:
                raise  # gone already (aborted before): what was asked holds


class _Counting:
    """A readable that counts what is read from it, and reads `size` bytes unless the end comes
    first: s3transfer takes a short first read for the whole of a small file and then reads all
    the rest into memory for one PutObject (a raw reader's 1 MiB, and a 20 GiB file in memory),
    and a short later read for a part (S3 refuses parts under 5 MiB but the last)."""

    def __init__(self, body: BinaryIO):
        self.body = body
        self.count = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = self.body.read(size)
        if size is not None and 0 < len(chunk) < size:
            parts, got = [chunk], len(chunk)
            while got < size and (more := self.body.read(size - got)):
                parts.append(more)
                got += len(more)
            chunk = b"".join(parts)
        self.count += len(chunk)
        return chunk


def _chunks(stream) -> Iterator[bytes]:
    try:
        yield from stream.iter_chunks(CHUNK)
    finally:
        stream.close()


def _code(error) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
