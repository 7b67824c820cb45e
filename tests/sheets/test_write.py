"""Writing a sheet is atomic: a temporary file in the same folder, then a rename over the
old one. A failure at any point leaves the old sheet whole and no temporary file behind."""

from __future__ import annotations

import os

import pytest

from lr_desk.sheets import render

OLD = b"%PDF-1.4 the sheet printed last week %%EOF"


def folder_files(path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_a_new_sheet(make_sheet, read_pdf, tmp_path):
    target = tmp_path / "sheet.pdf"
    assert render.render_sheet(make_sheet(), target) == target
    assert folder_files(target) == ["sheet.pdf"]
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert read_pdf(data).has("For Annie")


def test_a_string_path_too(make_sheet, tmp_path):
    target = tmp_path / "sheet.pdf"
    assert render.render_sheet(make_sheet(), str(target)) == target
    assert target.exists()


def test_rendering_over_an_old_sheet_replaces_it_whole(make_sheet, read_pdf, tmp_path,
                                                       monkeypatch):
    target = tmp_path / "sheet.pdf"
    target.write_bytes(OLD)
    seen = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        seen.append(("fsync", target.read_bytes() == OLD))  # the old one untouched so far
        real_fsync(fd)

    def replace(src, dst):
        seen.append(("replace", os.path.dirname(src) == str(tmp_path), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(render.os, "fsync", fsync)
    monkeypatch.setattr(render.os, "replace", replace)
    render.render_sheet(make_sheet(), target)
    assert seen == [("fsync", True), ("replace", True, str(target))]
    data = target.read_bytes()
    assert OLD not in data and data.startswith(b"%PDF")
    assert read_pdf(data).has("For Annie")
    assert folder_files(target) == ["sheet.pdf"]


def test_large_print_is_passed_on(make_sheet, read_pdf, tmp_path):
    target = render.render_sheet(make_sheet(), tmp_path / "sheet.pdf", large_print=True)
    assert min(r.size for r in read_pdf(target.read_bytes()).runs) >= 16


def test_a_failure_while_rendering_leaves_the_old_sheet(make_sheet, tmp_path, monkeypatch):
    target = tmp_path / "sheet.pdf"
    target.write_bytes(OLD)

    def broken(data, large, out, lang=None):
        out.write(b"%PDF-1.4 half a sheet")
        raise RuntimeError("layout failed")

    monkeypatch.setattr(render, "_build", broken)
    with pytest.raises(RuntimeError, match="layout failed"):
        render.render_sheet(make_sheet(), target)
    assert target.read_bytes() == OLD
    assert folder_files(target) == ["sheet.pdf"]


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failure_while_writing_leaves_the_old_sheet(make_sheet, tmp_path, monkeypatch,
                                                      step):
    target = tmp_path / "sheet.pdf"
    target.write_bytes(OLD)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if step == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fd, mode):
                self.fh = real_fdopen(fd, mode)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                disk_full()

        monkeypatch.setattr(render.os, "fdopen", Full)
    else:
        monkeypatch.setattr(render.os, step, disk_full)
    with pytest.raises(OSError, match="No space"):
        render.render_sheet(make_sheet(), target)
    assert target.read_bytes() == OLD
    assert folder_files(target) == ["sheet.pdf"]


def test_a_missing_folder_is_an_error_not_a_guess(make_sheet, tmp_path):
    with pytest.raises(FileNotFoundError):
        render.render_sheet(make_sheet(), tmp_path / "no-such-folder" / "sheet.pdf")


def test_an_item_taller_than_a_page_still_renders():
    """A 100-letter name with no spaces, in large print, beside directory fields of long
    unbroken words: the details-beside-QR block is taller than a page."""
    from datetime import date

    from lr_desk.services.sheet import SheetData, SheetFollowUp, SheetHub, SheetItem
    from lr_desk.sheets.render import render_bytes

    hub = SheetHub("The Life Rooms Walton", "Evered Avenue, Liverpool", "L9 2AF",
                   "0151 478 6556", "Monday to Friday, 9:30am to 4:30pm")
    item = SheetItem("Partner service", "X" * 300, "Y" * 200, "Z" * 200, "Q" * 200,
                     "0151 000 0000", "https://example.org/" + "a" * 280, "b" * 500,
                     "c" * 500, date(2026, 12, 1))
    data = SheetData("rx", hub, date(2026, 11, 22), "Alex", "W" * 100, True, "m" * 300,
                     [item], SheetFollowUp(date(2026, 12, 1), "10:30", "Phone call", ""))
    for large in (False, True):
        assert render_bytes(data, large_print=large).startswith(b"%PDF")
