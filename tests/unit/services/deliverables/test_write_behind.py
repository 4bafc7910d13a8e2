import io
import os

from services.deliverables.storage import write_behind


def test_every_byte_lands_in_the_file_across_the_writeback_windows(tmp_path, monkeypatch):
    monkeypatch.setattr(write_behind, "BEHIND", 3000)
    monkeypatch.setattr(write_behind, "CHUNK", 1000)
    data = os.urandom(10_500)
    path = tmp_path / "out"
    with open(path, "wb") as out:
        assert write_behind.copy_writing_behind(io.BytesIO(data), out) == len(data)
    assert path.read_bytes() == data
