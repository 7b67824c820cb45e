"""The hand-written part of the licence list: what the software's metadata cannot say.

- NAMED: distributions whose metadata names no licence (their licence file does);
- FALLBACK: distributions that ship no licence file, and the text in lr_desk/data/licences
  that stands for theirs;
- INSIDE: what a distribution carries with a licence of its own;
- DATA: every file in lr_desk/data, where it came from and under which licence.

Texts are paths inside lr_desk/data, or "dist:NAME", a licence file the host distribution
ships. The copies in lr_desk/data/licences are: LGPL-3.0.txt and GPL-3.0.txt, the Free
Software Foundation's texts (as Debian ships them in /usr/share/common-licenses, the same
words as psycopg's and python-bidi's copies); SQLCipher.txt, LICENSE.md of
https://github.com/sqlcipher/sqlcipher; PostgreSQL.txt, PostgreSQL's COPYRIGHT file;
HarfBuzz.txt, COPYING of https://github.com/harfbuzz/harfbuzz.
"""

from __future__ import annotations

from dataclasses import dataclass

OWN_LICENCE = "Proprietary - Mersey Care NHS Foundation Trust"  # pyproject's, if unread
OWN = "lr_desk's own"


@dataclass(frozen=True)
class Entry:
    name: str
    licence: str
    note: str  # where it comes from, in a line
    texts: tuple[str, ...] = ()
    statement: str = ""
    host: str | None = None  # inside: the distribution that carries it
    version: str = ""
    covers: tuple[str, ...] = ()  # data: patterns of the files in lr_desk/data
    quote: tuple[str, ...] = ()  # data: a JSON file, then the fields of it to show
    frozen_only: bool = False  # only in the desktop bundle (PyInstaller)
    only_on: str = ""  # inside: only where sys.platform starts with this
    host_version: bool = False  # inside: its version is its host's (Qt is PySide6's)


NAMED = {
    # its LICENSE is pysqlite's, the zlib licence; the metadata names none
    "sqlcipher3": "Zlib",
}

_QT_FOR_PYTHON = (
    "Qt for Python (PySide6 and Shiboken6) and the Qt libraries it carries are offered "
    "under the LGPL-3.0, GPL-2.0 or GPL-3.0; the desk uses them under the GNU Lesser "
    "General Public License version 3, whose text follows (with the GPL version 3 it "
    "adds to). The wheels ship no licence file of their own. Qt's libraries stay separate "
    "files beside the desk, so they can be replaced. Source: https://code.qt.io/ and "
    "https://download.qt.io/official_releases/QtForPython/ .")
_LGPL = ("licences/LGPL-3.0.txt", "licences/GPL-3.0.txt")
FALLBACK = {
    "pyside6-essentials": (_QT_FOR_PYTHON, _LGPL),
    "pyside6-addons": (_QT_FOR_PYTHON, _LGPL),
    "shiboken6": (_QT_FOR_PYTHON, _LGPL),
}

INSIDE = (
    Entry("Qt 6", "LGPL-3.0-only", "the Qt libraries inside PySide6 (windows, printing, "
          "PDF preview)", _LGPL, host="PySide6-Essentials", host_version=True,
          statement=_QT_FOR_PYTHON + " Qt itself includes third-party code under its own "
          "licences, listed at https://doc.qt.io/qt-6/licenses-used-in-qt.html ."),
    Entry("SQLCipher", "BSD-3-Clause", "compiled into sqlcipher3: the desk's encrypted "
          "database", ("licences/SQLCipher.txt",), host="sqlcipher3"),
    Entry("SQLite", "Public domain", "compiled into sqlcipher3 (SQLCipher is built on it)",
          host="sqlcipher3", statement=(
              "SQLite is in the public domain. The author disclaims copyright to this "
              "source code. In place of a legal notice, here is a blessing:\n\n"
              "   May you do good and not evil.\n   May you find forgiveness for yourself "
              "and forgive others.\n   May you share freely, never taking more than you "
              "give.\n\nhttps://www.sqlite.org/copyright.html")),
    Entry("OpenSSL", "Apache-2.0", "compiled into cryptography (and, on Linux, shipped "
          "with psycopg-binary): encryption and TLS", ("dist:LICENSE.APACHE",),
          host="cryptography", statement="OpenSSL 3 is licensed under the Apache License "
          "2.0 (https://www.openssl.org/source/license.html), whose text follows."),
    Entry("HarfBuzz", "MIT-Modern-Variant", "compiled into uharfbuzz: the sheet's "
          "Arabic-script letters shaped (joined, vowel marks placed)",
          ("licences/HarfBuzz.txt",), host="uharfbuzz"),
    Entry("libpq (PostgreSQL's client library)", "PostgreSQL",
          "inside psycopg-binary: the link to the central store (with the Kerberos, "
          "OpenLDAP and Cyrus SASL client libraries it is built with)",
          ("licences/PostgreSQL.txt",), host="psycopg-binary"),
    Entry("Kerberos, OpenLDAP, Cyrus SASL and the other libraries libpq links",
          "MIT, OLDAP-2.8, BSD-style (CMU), LGPL-2.1+",
          "inside psycopg-binary on Linux (psycopg_binary.libs), beside libpq",
          host="psycopg-binary", only_on="linux", statement=(
              "psycopg-binary's Linux wheel carries, beside libpq and OpenSSL, the client "
              "libraries libpq is built with. The wheel ships no licence text for them; "
              "each is under its project's licence:\n\n"
              "- MIT Kerberos (libgssapi_krb5, libkrb5, libk5crypto, libkrb5support, "
              "libcom_err): MIT licence, https://web.mit.edu/kerberos/krb5-latest/doc/"
              "mitK5license.html\n"
              "- OpenLDAP (libldap, liblber): The OpenLDAP Public License 2.8, "
              "https://www.openldap.org/software/release/license.html\n"
              "- Cyrus SASL (libsasl2): BSD-style licence of Carnegie Mellon University, "
              "https://github.com/cyrusimap/cyrus-sasl/blob/master/COPYING\n"
              "- keyutils (libkeyutils) and libxcrypt (libcrypt): GNU LGPL 2.1 or later, "
              "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html")),
    Entry("PyInstaller bootloader", "GPL-2.0-or-later WITH Bootloader-exception",
          "starts the desktop bundle", frozen_only=True, statement=(
              "The desk's desktop bundle is started by PyInstaller's bootloader, "
              "licensed under the GNU General Public License version 2 or later with "
              "PyInstaller's bootloader exception, which allows it to be shipped with "
              "programs under any licence: https://pyinstaller.org/en/stable/license.html")),
)

_LIFE_ROOMS = "Written for lr_desk: the words of The Life Rooms' own service. "
DATA = (
    Entry("DejaVu fonts", "Bitstream Vera; DejaVu changes public domain",
          "DejaVu Sans and Sans Bold, embedded in the take-home sheet (dejavu-fonts.github.io)",
          ("fonts/LICENSE",), covers=("fonts/DejaVu*", "fonts/LICENSE")),
    Entry("Noto fonts", "OFL-1.1",
          "Noto Naskh Arabic and Noto Sans Ethiopic, regular and bold, embedded in the "
          "take-home sheet for Arabic-script and Ethiopic words (Debian's fonts-noto-core, "
          "copied unchanged)", ("fonts/LICENSE-Noto.txt",), version="20201225-1",
          covers=("fonts/Noto*", "fonts/LICENSE-Noto.txt")),
    Entry("Lucide icons", "ISC (parts from Feather: MIT)",
          "the line icons, from lucide.dev, copied unchanged",
          ("icons/README.md", "icons/LICENSE"),
          covers=("icons/*.svg", "icons/README.md", "icons/LICENSE")),
    Entry("The desk's icon (icons/lr-desk.svg)", OWN, "drawn for lr_desk",
          statement="The application icon was drawn for lr_desk and is part of it.",
          covers=("icons/lr-desk.svg",)),
    Entry("HSDS 3.0 and Open Referral UK schemas", "CC-BY-SA-4.0",
          "Open Referral's JSON schemas, copied unchanged, to check the directory export",
          ("hsds/README.md", "hsds/LICENSE"), version="3.0", covers=("hsds/*",)),
    Entry("Easy-read pictures (Lucide icons)", "ISC (parts from Feather: MIT)",
          "Lucide's line icons (lucide.dev), copied unchanged and drawn as JPEG pictures "
          "for the easy-read sheet by scripts/make_pictures.py",
          ("pictures/README.md", "pictures/LICENSE"), covers=("pictures/*",)),
    Entry("Nicknames (nicknames.csv)", "Apache-2.0",
          "github.com/carltonnorthern/nicknames, copied unchanged",
          ("nicknames-README.md", "nicknames-LICENSE.txt"),
          covers=("nicknames.csv", "nicknames-README.md", "nicknames-LICENSE.txt")),
    Entry("SWEMWBS wellbeing scale (wellbeing.json)",
          "© NHS Health Scotland, Warwick and Edinburgh: free for not-for-profit use",
          "Warwick Medical School's published scale, used as registered with Warwick",
          covers=("wellbeing.json",), quote=("wellbeing.json", "swemwbs.notice",
                                             "swemwbs.source")),
    Entry("ONS4 personal wellbeing questions (wellbeing.json)",
          "Crown copyright: Open Government Licence v3.0",
          "the Office for National Statistics' harmonised questions", covers=(
              "wellbeing.json",), quote=("wellbeing.json", "ons4.source"), statement=(
              "Contains public sector information licensed under the Open Government "
              "Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-"
              "licence/version/3/). Source: Office for National Statistics.")),
    Entry("Hubs and categories (reference.json)", OWN,
          "written for lr_desk: The Life Rooms' sites and the kinds of need",
          statement=_LIFE_ROOMS + "Sites, their addresses and opening hours, and the "
          "categories of need and referral.", covers=("reference.json",)),
    Entry("Urgent help box (urgent_help.json)", OWN,
          "written for lr_desk: the sheet's urgent help (NHS 111, Samaritans, 999)",
          statement=_LIFE_ROOMS + "Public helpline numbers (NHS 111, Samaritans, 999), "
          "in the desk's words.", covers=("urgent_help.json",)),
    Entry("Example directory (example_directory.json)", OWN,
          "made up for lr_desk: example partners and courses for a new desk",
          statement="Written for lr_desk: made-up partners and courses (marked as example "
          "data in the desk), for a new desk to start from.",
          covers=("example_directory.json",)),
    Entry("Names for made-up people (names.json)", OWN,
          "made for lr_desk: lists for the demo and the benchmark's synthetic people",
          statement="Written for lr_desk: common given and family names, Liverpool and "
          "Sefton postcode districts and street names, combined at random into people "
          "who do not exist (the demo and the benchmark dataset).",
          covers=("names.json",)),
    Entry("Name spellings (name_variants.json)", OWN,
          "written for lr_desk: UK spellings of given names, for search",
          statement="Written for lr_desk (not taken from nicknames.csv): given names "
          "spelt more than one way in the UK, and nickname pairs set aside.",
          covers=("name_variants.json",)),
)
