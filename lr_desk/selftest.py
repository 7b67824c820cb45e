"""``lr-desk --self-test``: what IT runs after installing or upgrading a desk.

Every check works in a throwaway folder (removed afterwards) and never touches anyone's
profile: a new encrypted profile is set up, a person registered and their drop-in
recorded, and it is opened again with the password; a profile as the first release made
it is upgraded as a newer build upgrades one (a backup first); every shipped resource
and licence is read; a take-home sheet is rendered and Arabic-script letters shaped
(HarfBuzz); and the window is opened and closed offscreen, on that profile. One line
per check, then a summary; exit 0 when all pass.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lr_desk import __version__

USERNAME = "selftest"
WINDOW_WAIT_S = 120  # for the window's search index, on a slow or busy machine


class CheckFailed(Exception):
    """A check found something wrong: its message says what."""


@dataclass
class Context:
    folder: Path  # the throwaway folder
    password: str = field(default_factory=lambda: "Self test " + secrets.token_hex(8))
    sites: dict[str, str] = field(default_factory=dict)
    prescription_id: str = ""
    sheet: Path | None = None

    @property
    def profile(self) -> Path:
        return self.folder / "profile"


def check_version(ctx: Context) -> str:
    import sqlcipher3

    from lr_desk.ui.selftest_window import qt_version

    conn = sqlcipher3.connect(":memory:")
    try:
        sqlcipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    return (f"lr_desk {__version__}, Python {sys.version.split()[0]}, {qt_version()}, "
            f"SQLCipher {sqlcipher}")


def check_resources(ctx: Context) -> str:
    import json

    from lr_desk.resources import RESOURCES, load_json

    files = [p for p in RESOURCES.rglob("*") if p.is_file()]
    if not files:
        raise CheckFailed(f"no resources found in {RESOURCES}")
    parsed = 0
    for path in files:
        data = path.read_bytes()
        if not data:
            raise CheckFailed(f"{path.relative_to(RESOURCES)} is empty")
        if path.suffix == ".json":
            try:
                json.loads(data)
            except ValueError as exc:
                raise CheckFailed(f"{path.relative_to(RESOURCES)} is damaged: {exc}") from exc
            parsed += 1
    ctx.sites = {r["code"]: r["name"] for r in load_json("reference.json")["sites"]
                 if r.get("kind", "hub") == "hub"}
    return f"{len(files)} files read, {parsed} JSON files parsed"


def check_licences(ctx: Context) -> str:
    """Every part this build carries names its licence, and its text is there (Help >
    About shows them)."""
    from lr_desk import licences

    wrong = licences.check()
    if wrong:
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise CheckFailed(wrong[0] + more)
    return f"{len(licences.parts())} parts, each with its licence and text"


def check_migrations(ctx: Context) -> str:
    from alembic.script import ScriptDirectory

    from lr_desk.store.db import MIGRATIONS, head_revision

    revisions = [r.revision for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions()]
    if not revisions:
        raise CheckFailed(f"no migrations found in {MIGRATIONS}")
    return f"{len(revisions)} schema versions, {revisions[-1]} to {head_revision()}"


def check_profile(ctx: Context) -> str:
    from lr_desk.services import dropin, people
    from lr_desk.services.signin import Gate
    from lr_desk.store import cipher
    from lr_desk.store.models import Person

    if not ctx.sites:
        raise CheckFailed("needs the reference data (see resources)")
    site = next(iter(ctx.sites))
    unlocked = Gate(ctx.profile).set_up("Self Test", site, USERNAME, ctx.password,
                                        ctx.password, ctx.sites)
    try:
        advisor = unlocked.signed_in.advisor_id
        with unlocked.store.session() as s:
            person = people.register(s, {"given_name": "Testa", "family_name": "Selfcheck",
                                         "postcode": "L9 2AF"}, advisor, site)
            person_id = person.id
        with unlocked.store.session() as s:
            done = dropin.record_drop_in(s, person_id, advisor, {
                "conversation": {"site_code": site, "mode": "drop_in"},
                "items": [{"kind": "own_step", "title": "Walk round the park"}]})
            ctx.prescription_id = done.prescription_id
    finally:
        unlocked.store.close()
    again = Gate(ctx.profile).sign_in(USERNAME, ctx.password)
    try:
        with again.store.session() as s:
            found = s.get(Person, person_id)
            if found is None or found.family_name != "Selfcheck":
                raise CheckFailed("the person registered was not there when opened again")
    finally:
        again.store.close()
    if cipher.is_plain(again.store.path):
        raise CheckFailed("the database was written unencrypted")
    return "set up, a person and a drop-in saved, encrypted, opened again with the password"


def check_upgrade(ctx: Context) -> str:
    """A profile as the first release left it (unencrypted, the first schema, a person
    in it) opened by this build: backed up, encrypted, migrated, nothing lost."""
    from alembic.script import ScriptDirectory

    from lr_desk.services.guard import DB_NAME
    from lr_desk.services.signin import Gate
    from lr_desk.store.db import MIGRATIONS, head_revision, make_engine, migrate
    from lr_desk.store.models import Person

    first = ScriptDirectory(str(MIGRATIONS)).get_base()
    folder = ctx.folder / "old-profile"
    folder.mkdir()
    engine = make_engine(folder / DB_NAME)
    try:
        migrate(engine, folder / DB_NAME, folder / "backups", target=first)
    finally:
        engine.dispose()
    person_id = make_first_schema_person(folder / DB_NAME)
    gate = Gate(folder)
    if gate.state() != "convert":
        raise CheckFailed(f"an old profile was seen as {gate.state()!r}, not one to convert")
    site = next(iter(ctx.sites))
    unlocked = gate.set_up("Self Test", site, USERNAME, ctx.password, ctx.password,
                           ctx.sites)
    try:
        with unlocked.store.session() as s:
            found = s.get(Person, person_id)
            revision = s.connection().exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
    finally:
        unlocked.store.close()
    if found is None or found.given_name != "Oldest":
        raise CheckFailed("the person in the old profile was lost in the upgrade")
    if revision != head_revision():
        raise CheckFailed(f"the old profile stopped at schema {revision}")
    backups = list((folder / "backups").glob("*.sqlite"))
    if not backups:
        raise CheckFailed("no backup was made before the upgrade")
    return f"a profile at schema {first} upgraded to {revision}, backed up first"


def make_first_schema_person(db: Path) -> str:
    """One advisor and one person written as the first schema (0001) holds them."""
    now = "2019-09-02 09:30:00.000000"
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("INSERT INTO advisor (id, name, home_site, active, created_at, "
                         "updated_at) VALUES ('a-first', 'Ann First', 'walton', 1, ?, ?)",
                         (now, now))
            conn.execute(
                "INSERT INTO person (id, given_name, family_name, preferred_name, postcode, "
                "phone, email, referral_source, referral_source_detail, service_user, carer, "
                "needs_large_print, needs_easy_read, needs_interpreter, interpreter_language, "
                "needs_bsl, communication_other, registered_site, registered_by, created_at, "
                "updated_at) VALUES ('p-first', 'Oldest', 'Record', '', 'L9 2AF', '', '', "
                "'self', '', 0, 0, 0, 0, 0, '', 0, '', 'walton', 'a-first', ?, ?)", (now, now))
    finally:
        conn.close()
    return "p-first"


def check_sheet(ctx: Context) -> str:
    from lr_desk.services.sheet import sheet_data
    from lr_desk.services.signin import Gate
    from lr_desk.sheets.render import render_bytes

    if not ctx.prescription_id:
        raise CheckFailed("needs the profile's drop-in (see profile)")
    unlocked = Gate(ctx.profile).sign_in(USERNAME, ctx.password)
    try:
        with unlocked.store.session() as s:
            data = sheet_data(s, ctx.prescription_id)
    finally:
        unlocked.store.close()
    pdf = render_bytes(data)
    if not pdf.startswith(b"%PDF") or b"DejaVu" not in pdf:
        raise CheckFailed("the sheet's PDF is not right (no PDF, or its fonts missing)")
    ctx.sheet = ctx.folder / "sheet.pdf"
    ctx.sheet.write_bytes(pdf)
    return f"a take-home sheet rendered ({len(pdf) // 1024} KB, fonts embedded)"


def check_shaping(ctx: Context) -> str:
    """Arabic-script letters are shaped by HarfBuzz (uharfbuzz, which the bundle must
    carry): a Pashto word comes out joined, not letter by letter as each stands alone."""
    import uharfbuzz

    from lr_desk.sheets import fonts, shaping

    fonts.cmap(fonts.NASKH)
    word, font = "ښکلې", fonts.NASKH.regular
    joined = [g.char for g in shaping.shaped(word, font)[0]]
    alone = [shaping.shaped(ch, font)[0][0].char for ch in reversed(word)]
    if len(joined) != len(word) or joined == alone:
        raise CheckFailed(f"{word!r} is not joined (uharfbuzz {uharfbuzz.__version__})")
    return f"Arabic-script letters joined by HarfBuzz (uharfbuzz {uharfbuzz.__version__})"


def check_reports(ctx: Context) -> str:
    """Every report counted on the throwaway profile for this year, and written in each
    file format (the spreadsheet and the PDF with their libraries)."""
    from datetime import date

    from lr_desk.services import reports
    from lr_desk.services.reports.core import Period
    from lr_desk.services.reports.files import FORMATS, write
    from lr_desk.services.signin import Gate

    if not ctx.prescription_id:
        raise CheckFailed("needs the profile's drop-in (see profile)")
    today = date.today()
    period = Period(date(today.year, 1, 1), today)
    unlocked = Gate(ctx.profile).sign_in(USERNAME, ctx.password)
    try:
        with unlocked.store.session() as s:
            made = [reports.make(s, name, period) for name in reports.NAMES]
    finally:
        unlocked.store.close()
    written = 0
    for report in made:
        for fmt in FORMATS:
            path = write(report, ctx.folder / f"report.{fmt}", fmt)
            if path.stat().st_size == 0:
                raise CheckFailed(f"the {report.title} report's {fmt} file is empty")
            written += 1
    return f"{len(made)} reports counted, {written} files written ({', '.join(FORMATS)})"


def check_directory(ctx: Context) -> str:
    """The directory's Open Referral UK export checked against the shipped schemas, with
    their formats (web addresses, dates) really checked."""
    from lr_desk.services import hsds, hsds_check
    from lr_desk.services.signin import Gate

    checker = hsds_check.validator().format_checker
    missing = {"uri", "date-time"} - set(checker.checkers) if checker else {"every format"}
    if missing:
        raise CheckFailed(f"the schemas' formats cannot be checked: {', '.join(missing)}")
    unlocked = Gate(ctx.profile).sign_in(USERNAME, ctx.password)
    try:
        with unlocked.store.session() as s:
            page = hsds.export_directory(s, include_examples=True)
    finally:
        unlocked.store.close()
    wrong = hsds_check.problems(page)
    if wrong:
        raise CheckFailed(f"the directory's export breaks its schema: {wrong[0]}")
    return f"{len(page['contents'])} services exported and valid against HSDS UK"


def check_window(ctx: Context) -> str:
    """The desk's window on the throwaway profile, offscreen: opened, its pages attached
    and its search ready, the sheet shown by Qt's PDF module, then closed."""
    if not ctx.prescription_id or ctx.sheet is None:
        raise CheckFailed("needs the profile and the sheet (see above)")
    from lr_desk.ui.selftest_window import open_and_close

    said, problems = open_and_close(ctx.profile, USERNAME, ctx.password, ctx.sheet,
                                    WINDOW_WAIT_S)
    if problems:
        raise CheckFailed("; ".join(problems))
    return said


def check_central_driver(ctx: Context) -> str:
    import psycopg

    return (f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), libpq "
            f"{psycopg.pq.version() // 10000}.{psycopg.pq.version() % 10000}")


def check_data_folder(ctx: Context) -> str:
    """Where this account's desk data lives (not made or changed here)."""
    from lr_desk.paths import data_dir

    folder = data_dir()
    if folder.exists():
        if not os.access(folder, os.W_OK):
            raise CheckFailed(f"{folder} exists but this account cannot write to it")
        return f"{folder} (there, writable)"
    parent = next((p for p in folder.parents if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK):
        raise CheckFailed(f"{folder} cannot be made: {parent} is not writable")
    return f"{folder} (made at the first start)"


CHECKS: list[tuple[str, Callable[[Context], str]]] = [
    ("version", check_version), ("resources", check_resources),
    ("licences", check_licences),
    ("migrations", check_migrations), ("profile", check_profile),
    ("upgrade", check_upgrade), ("sheet", check_sheet), ("shaping", check_shaping),
    ("reports", check_reports),
    ("directory", check_directory), ("window", check_window),
    ("central", check_central_driver), ("data", check_data_folder),
]


def run(say: Callable[[str], None] = print) -> int:
    """Run every check, saying each in one line; 0 when all passed, else 1."""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="lr_desk-self-test-") as tmp:
        ctx = Context(Path(tmp))
        handler = _log_to(ctx.folder)
        for name, check in CHECKS:
            started = time.perf_counter()
            try:
                said, ok = check(ctx), True
            except CheckFailed as exc:
                said, ok = str(exc), False
            except Exception as exc:  # reported, and the other checks still run
                logging.getLogger(__name__).error("self-test %s", name, exc_info=exc)
                said, ok = f"{type(exc).__name__}: {_first_line(exc)} ({_where(exc)})", False
            failed += not ok
            ms = (time.perf_counter() - started) * 1000
            line = f"{'ok' if ok else 'FAIL':<5} {name:<11} {said} [{ms:.0f} ms]"
            logging.getLogger(__name__).log(logging.INFO if ok else logging.WARNING, line)
            say(line)
        logging.getLogger().removeHandler(handler)
        handler.close()  # (Windows removes no open file)
        kept = _keep_log(Path(handler.baseFilename)) if failed else None
    total = len(CHECKS)
    summary = f"{failed} of {total} checks FAILED" if failed else f"all {total} checks passed"
    say(f"lr_desk self-test: {summary}" + (f" (details in {kept})" if kept else ""))
    return 1 if failed else 0


def _log_to(folder: Path) -> logging.Handler:
    """Warnings go to the throwaway folder's log, not the terminal or anyone's profile."""
    handler = logging.FileHandler(folder / "self-test.log", encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def _keep_log(log: Path) -> Path | None:
    """A failed self-test's log (its errors in full), kept for IT beside the system's
    temporary files when the throwaway folder goes."""
    kept = Path(tempfile.gettempdir()) / "lr_desk-self-test.log"
    try:
        kept.write_bytes(log.read_bytes())
    except OSError:
        return None
    return kept


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else ""


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    return f"{Path(last.filename).name}:{last.lineno}" if last else "?"
