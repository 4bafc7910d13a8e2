import hashlib
import io
import shutil

from services.deliverables.hashing_reader import HashingReader


def test_what_passes_through_by_read_or_readinto_is_counted_and_hashed():
    data = bytes(range(256)) * 5000
    reader = HashingReader(io.BytesIO(data))
    sink = io.BytesIO()
    shutil.copyfileobj(reader, sink, 4096)  # read()
    assert sink.getvalue() == data
    assert (reader.size, reader.hexdigest()) == (len(data), hashlib.sha256(data).hexdigest())

    class Short(io.BytesIO):  # a raw reader: at most 1000 bytes a call
        def read(self, size=-1):
            return super().read(1000 if size is None or size < 0 else min(size, 1000))

    reader = HashingReader(Short(data))
    assert reader.read() == data  # everything, as RawIOBase promises
    assert (reader.size, reader.hexdigest()) == (len(data), hashlib.sha256(data).hexdigest())
    reader, buffer = HashingReader(io.BytesIO(data)), bytearray(7000)
    while reader.readinto(buffer):
        pass
    assert (reader.size, reader.hexdigest()) == (len(data), hashlib.sha256(data).hexdigest())
