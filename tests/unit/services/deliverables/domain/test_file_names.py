import re

import pytest

from services.deliverables.domain.file_names import FILE_NAME, file_name_problem


@pytest.mark.parametrize(
    "name",
    ["uart16550.v", "ddr4_phy-1.2.lib", "c++_driver.h", "README", "_top.sv", "a" * 255,
     "console.v", "nullable.sv", "com.txt"],
)  # fmt: skip
def test_plain_names_are_accepted(name):
    assert file_name_problem(name) is None
    assert re.fullmatch(FILE_NAME, name)


@pytest.mark.parametrize(
    "name, says",
    [
        ("", "empty"),
        ("../../etc/passwd", "path"),
        ("rtl/top.v", "path"),
        ("..\\boot.ini", "path"),
        ("/etc/passwd", "path"),
        (".bashrc", "'.'"),
        ("..", "'.'"),
        ("C:top.v", "only the letters"),
        ("top.v\x00.pdf", "only the letters"),
        ("top\n.v", "only the letters"),
        ("top\u202e.v", "only the letters"),  # right-to-left override: a name that lies
        ("top v", "only the letters"),
        ("数据手册.pdf", "only the letters"),
        ("-rf", "start with '-'"),
        ("top.", "end with '.'"),
        ("CON", "device"),
        ("nul.txt", "device"),
        ("Com1.log", "device"),
        ("a" * 256, "255"),
    ],
)
def test_path_tricks_and_bad_names_are_refused(name, says):
    problem = file_name_problem(name)
    assert problem is not None and says in problem
    # and the document says so (the length by its maxLength)
    assert not re.fullmatch(FILE_NAME, name) or len(name) > 255
