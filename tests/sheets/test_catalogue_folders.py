"""Translations put outside the program (a managed PC's program folder is read-only):
the account's data folder and the machine's (``paths.translation_dirs``) hold
``<code>/LC_MESSAGES/sheet.po`` files that correct a shipped language or add one, read
by the same rules as the shipped ones."""

from __future__ import annotations

import logging
import shutil

import pytest

from lr_desk import paths
from lr_desk.sheets import catalogues, render, words
from tests.sheets.test_bilingual import reviewed, squash

SOMALI_PLAN = "Qorshahaaga"


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """The account's folder and the machine's, empty (as paths.translation_dirs gives
    them, in that order)."""
    folders = [tmp_path / "account" / "locale", tmp_path / "machine" / "locale"]
    monkeypatch.setattr(paths, "translation_dirs", lambda: list(folders))
    return folders


def put(folder, code: str, text: str):
    po = folder / code / "LC_MESSAGES" / "sheet.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(text, encoding="utf-8")
    return po


def shipped(code: str) -> str:
    return (catalogues.LOCALE_DIR / code / "LC_MESSAGES" / "sheet.po").read_text("utf-8")


def test_the_folders_are_the_accounts_then_the_machines(monkeypatch, tmp_path):
    monkeypatch.undo()  # (the sheet's tests keep them out: see conftest)
    monkeypatch.setenv("LR_DESK_DATA_DIR", str(tmp_path))
    account, machine = paths.translation_dirs()
    assert account == tmp_path / "locale"
    assert machine.name == "locale" and machine.parent.name == "lr_desk"
    assert catalogues.folders()[-1] == catalogues.LOCALE_DIR


def test_a_catalogue_put_outside_corrects_a_phrase_on_the_next_sheet(make_sheet, read_pdf,
                                                                     outside):
    data = make_sheet(items=1)
    before = squash(read_pdf(render.render_bytes(data, language="ar")).text)
    assert squash("خطتك") in before
    put(outside[1], "ar", shipped("ar").replace('msgstr "خطتك"', 'msgstr "خطتك للمستقبل"'))
    after = squash(read_pdf(render.render_bytes(data, language="ar")).text)
    assert squash("خطتك للمستقبل") in after
    assert catalogues.find("ar").path.is_relative_to(outside[1])
    # the account's own folder comes first
    put(outside[0], "ar", shipped("ar").replace('msgstr "خطتك"', 'msgstr "خطتنا"'))
    assert catalogues.find("ar")(words.YOUR_PLAN) == "خطتنا"
    assert [c.code for c in catalogues.available()].count("ar") == 1


def somali() -> str:
    """A new language's catalogue (Somali: only "Your plan" in it is Somali), unchecked."""
    return shipped("pt").replace("Language: pt", "Language: so").replace(
        "X-Language-Names: Portuguese, Português, Portugues, Portuguese (Brazil), "
        "Brazilian Portuguese", "X-Language-Names: Somali, Af-Soomaali").replace(
        'msgstr "O seu plano"', f'msgstr "{SOMALI_PLAN}"')


def test_a_new_language_put_outside_appears(make_sheet, read_pdf, outside):
    put(outside[1], "so", somali())
    found = {c.code: c for c in catalogues.available()}
    assert found["so"].label == "Somali (not yet checked)"
    assert catalogues.match("Af-Soomaali").code == "so"
    # not checked: only when chosen, then printed
    data = make_sheet(items=1, language="Somali")
    assert SOMALI_PLAN not in read_pdf(render.render_bytes(data)).text
    assert SOMALI_PLAN in read_pdf(render.render_bytes(data, language="so")).text
    # checked: chosen from the person's record by itself
    reviewed(outside[1], "so")
    assert SOMALI_PLAN in read_pdf(render.render_bytes(data)).text


def test_a_broken_catalogue_outside_is_left_out(make_sheet, read_pdf, outside, caplog):
    # saved in the wrong encoding (a byte that is not UTF-8) by a text editor
    put(outside[0], "ar", "").write_bytes(shipped("ar").encode().replace(
        "خطتك".encode(), b"\xd8\xae\xff"))
    put(outside[1], "so", "msgid \"\"\nmsgstr \"broken")
    with caplog.at_level(logging.WARNING, logger=catalogues.__name__):
        codes = [c.code for c in catalogues.available()]
    assert "ar" not in codes and "so" not in codes  # not the shipped Arabic instead
    assert "fa" in codes
    assert "cannot be read and is left out" in caplog.text and str(outside[0]) in caplog.text
    # the English sheet still prints
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language="ar"))
    assert pdf.has(words.YOUR_PLAN) and not pdf.has("خطتك")
    # mended: back in
    shutil.rmtree(outside[0] / "ar")
    assert "ar" in [c.code for c in catalogues.available()]
