"""The owner's check of erasures: the central log is blanked only for proven ones.

A device's login is not a person: an erasure it appends may be forged (another desk's
person, no manager involved). Every desk sets a forged one aside (store.authority), so
the central store must not blank the person in its log either, or a new desk pulling the
log would get them blanked for good. But the proof is an Ed25519 signature by a key the
log itself made an account's, as the log has made it: PostgreSQL cannot check that in
SQL. So from central migration c7 an erasure appended is only recorded as pending
(``erasure_check``, which a device may neither read nor write), and this module, run with
the owner's login, decides:

- ``decide`` replays the log's account changes and erasures, in log order, through the
  very checks every desk runs on a pull (sync.screen.Screen, with store.authority), on a
  throwaway in-memory SQLite holding only the tables they use (built from the desk's
  models). So the store erases exactly what every desk applies: a decision depends only
  on the log (and proofs_from), never on who runs it or when.
- ``apply`` erases each proven erasure as c4 did at once (the log's blanking function:
  its records noted, every change to them blanked; later ones blanked as they arrive),
  and records a forged one as refused, with the reason (kept, never blanked).

Who runs it: ``lr-desk central redact URL`` and every ``lr-desk central init``
(``redact``); a push with the owner's login (sync.redact.owner_append); and the SQLite
store's push itself (one machine, no logins: sync.redact.after_append). Appends are held
back (the ordering lock, or SQLite's write lock) only while the verdicts are applied: a
change to a record arriving meanwhile is blanked by the append trigger or by the erasure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    inspect,
    select,
    text,
    update,
)

from lr_desk.store.erase import named_in
from lr_desk.store.models import AuthorityAccount, AuthorityDevice, ErasedRow, SetAside
from lr_desk.sync import central_schema, checks, redact, screen
from lr_desk.sync.central_schema import change_log

REPLAYED = ("advisor", "erasure")  # what store.authority's decisions depend on
PAGE = 1000

checked = Table(redact.CHECKED, MetaData(),
                Column("seq", BigInteger, primary_key=True),
                Column("change_id", String(36)),
                Column("status", String(8)),
                Column("reason", Text),
                Column("checked_at", DateTime))


@dataclass(frozen=True)
class Verdict:
    why: str | None  # None: proven; else why it is refused, in plain words
    seeds: tuple[str, ...] = ()  # the records it erases
    device: str = ""  # the device that appended it


@dataclass
class Checked:
    """What a check did."""

    proven: int = 0  # erasures found proven: blanked in the log now
    refused: int = 0  # erasures without proof: kept, never blanked
    waiting: int = 0  # still pending: behind a change from a newer lr_desk
    devices: set[str] = field(default_factory=set)  # that sent the refused ones

    def summary(self) -> list[str]:
        """In plain words, for the administrator."""
        said = []
        if self.proven:
            said.append(f"{_count(self.proven)} approved by a manager: the person's "
                        "information is now blanked in the central store's log.")
        if self.refused:
            said.append(f"{_count(self.refused)} without a manager's proof refused: the log "
                        "keeps the person's information, and every desk sets such an "
                        "erasure aside (an admin sees it under Changes set aside from "
                        f"sync). Sent by the device {' and '.join(sorted(self.devices))}: "
                        "find out who has its login.")
        if self.waiting:
            said.append(f"{_count(self.waiting)} still waiting: the log holds changes from "
                        "a newer lr_desk before them. Update lr_desk on this computer and "
                        "run lr-desk central redact again.")
        return said


def _count(n: int) -> str:
    return f"{n} erasure{'s' if n != 1 else ''}"


# --- the replay ------------------------------------------------------------------------


@contextmanager
def _replay_desk() -> Iterator[Connection]:
    """A throwaway in-memory SQLite with only what the desk's checks read and write: the
    authority tables, erased_row and set_aside (the desk's models), and of each erasure
    who approved it (store.authority looks it up for a change that does not say)."""
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            for model in (AuthorityAccount, AuthorityDevice, ErasedRow, SetAside):
                model.__table__.create(conn)
            conn.exec_driver_sql("CREATE TABLE erasure (id TEXT PRIMARY KEY, "
                                 "approved_by TEXT, clock TEXT NOT NULL)")
            yield conn
    finally:
        engine.dispose()


def _note_erasures(local: Connection, accepted: Iterable) -> None:
    """The erasure rows a desk would now hold (per field, the newest clock wins)."""
    for c in accepted:
        if c.entity == "erasure" and "approved_by" in c.fields:
            local.exec_driver_sql(
                "INSERT INTO erasure (id, approved_by, clock) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET approved_by = excluded.approved_by, "
                "clock = excluded.clock WHERE excluded.clock > erasure.clock",
                (c.entity_id, c.fields["approved_by"], c.hlc))


def seeds_of(fields: dict) -> tuple[str, ...]:
    """The records an erasure names (as c4's trigger read them)."""
    ids = [i for ids in named_in(fields.get("record_ids")).values() for i in ids]
    ids.append(fields.get("person_id"))
    return tuple(i for i in ids if isinstance(i, str))


def decide(conn: Connection, upto: int) -> dict[int, Verdict]:
    """The verdict on each erasure appended (an insert) up to sequence ``upto``, by the
    log alone. The replay stops at an account change or erasure from a newer lr_desk, as
    a desk does: what comes after it is left undecided (other changes decide nothing
    here, whatever wrote them)."""
    versions = (frozenset(conn.scalars(select(central_schema.desk_schema.c.version)))
                if inspect(conn).has_table("desk_schema") else None)
    value = conn.scalar(select(central_schema.meta.c.value)
                        .where(central_schema.meta.c.key == "proofs_from"))
    proofs_from = int(value) if value is not None else 0
    columns = [change_log.c.seq, *(change_log.c[k] for k in central_schema.CHANGE_COLUMNS),
               change_log.c.received_at]
    verdicts: dict[int, Verdict] = {}
    after = 0
    with _replay_desk() as local:
        while True:
            changes = [central_schema.Change(*row) for row in conn.execute(
                select(*columns).where(change_log.c.entity.in_(REPLAYED),
                                       change_log.c.seq > after, change_log.c.seq <= upto)
                .order_by(change_log.c.seq).limit(PAGE))]
            if not changes:
                return verdicts
            after = changes[-1].seq
            cut = next((i for i, c in enumerate(changes)
                        if checks.newer(c.schema_version, versions)), None)
            page = screen.Screen(local, versions, proofs_from, references=False)
            accepted = page.run(changes if cut is None else changes[:cut])
            _note_erasures(local, accepted)
            for c in accepted:
                if c.entity == "erasure" and c.op == "insert":
                    verdicts[c.seq] = Verdict(None, seeds_of(c.fields))
            for c, why in page.aside:
                if c.entity == "erasure" and c.op == "insert":
                    verdicts[c.seq] = Verdict(why, device=str(c.device_id))
            if cut is not None:
                return verdicts


# --- the verdicts in the store -------------------------------------------------------


def pending(conn: Connection) -> list[int]:
    return list(conn.scalars(select(checked.c.seq).where(checked.c.status == "pending")
                             .order_by(checked.c.seq)))


def apply(conn: Connection, verdicts: dict[int, Verdict], upto: int) -> Checked:
    """Record the verdicts on the erasures still pending, and erase the proven ones'
    records in the log; those up to ``upto`` left without one are waiting. Run holding
    the ordering lock (PostgreSQL) or the write lock (SQLite): no append may slip
    between the erasure and the blanking."""
    done = Checked()
    seeds: list[str] = []
    for seq, verdict in sorted(verdicts.items()):
        if not conn.execute(update(checked).where(
                checked.c.seq == seq, checked.c.status == "pending").values(
                status="proven" if verdict.why is None else "refused",
                reason=verdict.why, checked_at=func.now())).rowcount:
            continue  # (decided already, by a check that ran meanwhile)
        if verdict.why is None:
            done.proven += 1
            seeds += verdict.seeds
        else:
            done.refused += 1
            done.devices.add(verdict.device)
    if seeds and conn.dialect.name == "postgresql":
        conn.execute(text("SELECT change_log_erase(CAST(:ids AS text[]))"), {"ids": seeds})
    elif seeds:
        redact.erase_records(conn, seeds)
    done.waiting = conn.scalar(select(func.count()).select_from(checked)
                               .where(checked.c.status == "pending", checked.c.seq <= upto))
    return done


def settle(conn: Connection) -> Checked:
    """Decide and apply every pending erasure, in a transaction that already holds the
    ordering lock (a push's)."""
    waiting = pending(conn)
    if not waiting:
        return Checked()
    verdicts = decide(conn, waiting[-1])
    return apply(conn, verdicts, waiting[-1])


def _order(conn: Connection) -> None:
    """PostgreSQL: hold back appends, as the owner's push does (sync.central.CentralStore)."""
    if conn.scalar(text("SELECT to_regprocedure('change_log_order()') IS NOT NULL")):
        conn.execute(text("SELECT change_log_order()"))
    else:  # a store no init of this lr_desk has hardened
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": central_schema.ORDER_LOCK})


def _may_check(conn: Connection) -> None:
    """ValueError (or CentralSchemaError), in plain words, if this is not a store at
    this lr_desk's schema, or the login is not one that may check erasures."""
    at = central_schema.read_schema(conn)
    if at is not None and at not in central_schema.SCHEMAS:
        raise central_schema.CentralSchemaError(
            f"The central store is at schema {at}, from a newer lr_desk than this one: "
            "update lr_desk here before checking its erasures from this computer.")
    if at != central_schema.CENTRAL_SCHEMA:
        raise ValueError("That is not a central store at this lr_desk's schema (it is at "
                         f"{at or 'nothing'}): run lr-desk central init URL first.")
    if conn.dialect.name == "postgresql" and not conn.scalar(text(
            f"SELECT has_table_privilege('{redact.CHECKED}', 'UPDATE')")):
        raise ValueError("Checking erasures needs the administrator's login to the central "
                         "store (the one lr-desk central init uses), not a device's.")


def redact_store(url: str, key: bytes | None = None) -> Checked:
    """Check every pending erasure in the store at ``url`` (the owner's login): blank
    the log for the proven ones, refuse the others. On PostgreSQL the replay runs
    without holding anyone up (the log up to the newest pending erasure is settled:
    appends are commit-ordered); only the verdicts are applied under the ordering lock."""
    engine = central_schema.make_engine(url, key)
    try:
        with engine.connect() as conn:
            _may_check(conn)
            waiting = pending(conn)
        if not waiting:
            return Checked()
        if engine.dialect.name != "postgresql":
            with engine.begin() as conn:  # BEGIN IMMEDIATE: the push's own lock
                done = settle(conn)
            if done.proven:
                redact.checkpoint(engine)
            return done
        with engine.connect() as conn:
            verdicts = decide(conn, waiting[-1])
        with engine.begin() as conn:
            _order(conn)
            return apply(conn, verdicts, waiting[-1])
    finally:
        engine.dispose()
