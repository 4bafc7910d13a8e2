import pytest

from services.deliverables.domain.file_names import file_name_problem


@pytest.mark.parametrize(
    "name",
    ["uart16550.v", "ddr4_phy-1.2.lib", "数据手册.pdf", "core v1.0.tar.gz", "a" * 255],
)
def test_plain_names_are_accepted(name):
    assert file_name_problem(name) is None


@pytest.mark.parametrize(
    "name, says",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("../../etc/passwd", "'.'"),
        ("rtl/top.v", "/"),
        ("..\\boot.ini", "'.'"),
        ("dir\\top.v", "\\"),
        (".bashrc", "'.'"),
        ("..", "'.'"),
        ("C:top.v", ":"),
        ("top.v\x00.pdf", "control"),
        ("top\n.v", "control"),
        ("top\u202e.v", "invisible"),  # right-to-left override: a name that lies
        ("top.v ", "space"),
        ("top.", "end with '.'"),
        ("CON", "device"),
        ("nul.txt", "device"),
        ("e\u0301.v", "normal form"),  # decomposed é
        ("ä" * 128, "255 bytes"),
    ],
)
def test_path_tricks_and_bad_names_are_refused(name, says):
    problem = file_name_problem(name)
    assert problem is not None and says in problem
