"""One student's zip (autograder/intake/archives.py): whatever it holds, it is unpacked under the
same checks or refused for that student alone, and the rest of the class is taken in.

Each hostile archive is one a red-team review built (issue 29): a nested zip with a `../`
member, a nested zip bomb, a data file compressed with gzip, 100,000 empty members, a setuid
member. `take_in` reads them beside a good archive, which must come through untouched.
"""
import io
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.intake import archives
from autograder.intake.archives import ArchiveRefused, Limits, unpack, unpack_archives
from autograder.intake.submissions import take_in

LAB = "01_matrix_shapes"
NOTEBOOK = Path(__file__).parents[1] / "labs" / LAB / f"{LAB}.ipynb"


def zip_bytes(members: list[tuple[str, bytes]], mode: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def write(path: Path, members: list[tuple[str, bytes]], mode: int | None = None) -> Path:
    path.write_bytes(zip_bytes(members, mode))
    return path


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    write(folder / "ada.zip", [(f"{LAB}/{LAB}.ipynb", NOTEBOOK.read_bytes())])
    return folder


def taken(downloads: Path, tmp_path: Path) -> dict[str, object]:
    return {intake.student_id: intake for intake in take_in(downloads, tmp_path / "staged", [LAB])}


def test_a_nested_zip_pointing_outside_refuses_that_student_only(downloads, tmp_path):
    inner = zip_bytes([(f"../../{LAB}.ipynb", NOTEBOOK.read_bytes())])
    write(downloads / "eve.zip", [(f"{LAB}.ipynb", NOTEBOOK.read_bytes()), ("work.zip", inner)])
    intakes = taken(downloads, tmp_path)
    assert intakes["ada"].ready
    assert "holds a path outside itself: '../../" in intakes["eve"].problem
    assert not (tmp_path / "staged" / "eve").exists() and not (tmp_path / "unpacked" / "_archives" / "eve").exists()
    assert not (tmp_path / f"{LAB}.ipynb").exists() and not (downloads / f"{LAB}.ipynb").exists()


def test_a_nested_zip_is_unpacked_under_the_same_checks_and_its_notebook_graded(downloads, tmp_path):
    inner = zip_bytes([(f"{LAB}.ipynb", NOTEBOOK.read_bytes())])
    write(downloads / "gina_attempt1.zip", [("submission.zip", inner), ("data.csv.gz", b"\x1f\x8b not really gzip")])
    intakes = taken(downloads, tmp_path)
    assert intakes["gina"].ready and intakes["ada"].ready
    staged = tmp_path / "staged" / "gina" / LAB / f"{LAB}.ipynb"
    assert staged.exists()
    unpacked = tmp_path / "unpacked" / "_archives" / "gina_attempt1"
    assert (unpacked / "data.csv.gz").read_bytes().startswith(b"\x1f\x8b")  # other compressed files stay files


def test_a_zip_three_deep_is_left_closed_with_a_note(downloads, tmp_path):
    deepest = zip_bytes([("secret.txt", b"x")])
    middle = zip_bytes([("deeper.zip", deepest)])
    write(downloads / "hal.zip", [(f"{LAB}.ipynb", NOTEBOOK.read_bytes()), ("middle.zip", middle)])
    intakes = taken(downloads, tmp_path)
    assert intakes["hal"].ready
    assert any("deeper.zip is an archive 2 levels inside the archive: not opened" in n for n in intakes["hal"].notes)
    assert not list((tmp_path / "unpacked").rglob("secret.txt"))


def test_a_nested_bomb_is_refused_before_its_bytes_are_written(downloads, tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_UNZIPPED_MB", 4)
    bomb = zip_bytes([("zeros.bin", bytes(64 * 2**20))])  # 64 MB of zeros, about 64 KB zipped
    write(downloads / "ivan.zip", [(f"{LAB}.ipynb", NOTEBOOK.read_bytes()), ("data.zip", bomb)])
    assert len((downloads / "ivan.zip").read_bytes()) < 2**20
    intakes = taken(downloads, tmp_path)
    assert "unpacks to more than 4 MB" in intakes["ivan"].problem and intakes["ada"].ready
    written = sum(p.stat().st_size for p in (tmp_path / "unpacked").rglob("*") if p.is_file())
    assert written < 4 * 2**20


def test_bytes_are_counted_as_written_not_as_the_archive_claims(tmp_path):
    archive = write(tmp_path / "a.zip", [("one.bin", bytes(3 * 2**20)), ("two.bin", bytes(3 * 2**20))])
    with pytest.raises(ArchiveRefused, match="more than 5 MB"):
        unpack(archive, tmp_path / "out", Limits(megabytes=5, members=10))
    budget = archives.Unpacked(Limits(megabytes=5, members=10))
    budget.count_bytes(5 * 2**20)
    with pytest.raises(ArchiveRefused, match="more than 5 MB"):
        budget.count_bytes(1)


def test_many_members_are_refused_before_any_is_written(downloads, tmp_path):
    write(downloads / "jo.zip", [(f"empty/{i}.txt", b"") for i in range(archives.MAX_MEMBERS + 1)])
    intakes = taken(downloads, tmp_path)
    assert f"holds more than {archives.MAX_MEMBERS} files" in intakes["jo"].problem and intakes["ada"].ready
    assert not (tmp_path / "unpacked" / "_archives" / "jo").exists()


def test_stored_modes_are_never_applied(downloads, tmp_path):
    write(downloads / "kim.zip", [(f"{LAB}.ipynb", NOTEBOOK.read_bytes()), ("tool", b"#!/bin/sh\n")],
          mode=stat.S_IFREG | stat.S_ISUID | stat.S_ISGID | 0o777)
    intakes = taken(downloads, tmp_path)
    assert intakes["kim"].ready
    for path in (tmp_path / "unpacked").rglob("*"):
        if path.is_file():
            mode = path.stat().st_mode
            assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_IXUSR | stat.S_IWOTH), (path, oct(mode))


def test_links_and_encrypted_members_never_come_through(tmp_path):
    link = write(tmp_path / "link.zip", [("passwd", b"/etc/passwd")], mode=stat.S_IFLNK | 0o777)
    unpacked = unpack(link, tmp_path / "out", Limits.student())
    assert not (tmp_path / "out" / "passwd").exists() and "link" in unpacked.notes[0]
    encrypted = bytearray(zip_bytes([("a.txt", b"hello")]))
    # general-purpose flag bit 0 (encrypted), in the local header (offset 6) and the central directory
    encrypted[6] |= 1
    central = encrypted.rfind(b"PK\x01\x02")
    encrypted[central + 8] |= 1
    (tmp_path / "locked.zip").write_bytes(bytes(encrypted))
    with pytest.raises(ArchiveRefused, match="encrypted"):
        unpack(tmp_path / "locked.zip", tmp_path / "out2", Limits.student())


def test_a_broken_archive_is_that_students_problem(downloads, tmp_path):
    (downloads / "lee.zip").write_bytes(b"PK\x03\x04 truncated")
    result = unpack_archives(downloads, tmp_path / "unpacked", [LAB])
    assert "cannot be unpacked" in result.problems["lee"] and (result.folder / "ada" / LAB / f"{LAB}.ipynb").exists()
