import io


def test_the_s3_store_reads_what_it_asks_for_from_a_raw_reader():
    """s3transfer takes a short read for the end of the file: the S3 store fills each read."""
    from services.deliverables.storage.s3 import _Counting

    class Raw(io.BytesIO):  # at most 1000 bytes a call, as a raw reader may
        def read(self, size=-1):
            return super().read(1000 if size is None or size < 0 else min(size, 1000))

    data = bytes(range(256)) * 40
    counting = _Counting(Raw(data))
    assert counting.read(8192) == data[:8192]
    assert counting.read(8192) == data[8192:] and counting.read(8192) == b""
    assert counting.count == len(data)
