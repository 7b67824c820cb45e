"""An erasure blanks the log only once its proof is verified (lr_desk.sync.verify).

Before this, the store blanked an erased person's values in the log as soon as any
erasure was appended (c4), so one device's login could erase another desk's person for
good: every desk now sets a forged erasure aside, but a new desk pulling the log got the
person blanked all the same.

Both: ``erasure_check``, one row per erasure appended (its sequence number and change
id): pending until the owner's check (sync.verify) finds it proven (and blanks the log as
c4 did) or refuses it (kept, never blanked, with the reason). A device may neither read
nor write it. Later changes to a proven-erased record are still blanked as they arrive.

Erasures the log already holds: those up to ``proofs_from`` (c6) were made before proofs
and count as proven; any after it were blanked already by c4 (that cannot be undone) and
are left pending, for the check to record what it finds. Rows are kept by sequence
number, so a check decides the same whatever order it runs in.

PostgreSQL: the trigger that erased at once now leaves an erasure pending, and another
(after the numbering trigger has given the change its number) records it. SQLite: a
trigger records it; the push checks at once (sync.redact.after_append).

Revision ID: c7
Revises: c6
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync.redact import CHECKED, pending_sql, pending_undo_sql

revision = "c7"
down_revision = "c6"
branch_labels = None
depends_on = None


def _schema(bind) -> str | None:
    if bind.dialect.name != "postgresql":
        return None
    return bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))


def upgrade() -> None:
    op.create_table(CHECKED,
                    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
                    sa.Column("change_id", sa.String(36), nullable=False),
                    # pending, proven or refused
                    sa.Column("status", sa.String(8), nullable=False,
                              server_default="pending"),
                    sa.Column("reason", sa.Text),  # why it was refused, in plain words
                    sa.Column("checked_at", sa.DateTime))
    bind = op.get_bind()
    proofs_from = bind.scalar(sa.text(
        "SELECT value FROM central_meta WHERE key = 'proofs_from'"))
    op.execute(sa.text(
        f"INSERT INTO {CHECKED} (seq, change_id, status, checked_at) "
        "SELECT seq, change_id, CASE WHEN seq <= :upto THEN 'proven' ELSE 'pending' END, "
        "CASE WHEN seq <= :upto THEN CURRENT_TIMESTAMP END FROM change_log "
        "WHERE entity = 'erasure' AND op = 'insert'")
        .bindparams(upto=int(proofs_from or 0)))
    schema = _schema(bind)
    if schema is not None:
        op.execute(f"REVOKE ALL ON {CHECKED} FROM PUBLIC")
    for statement in pending_sql(schema):
        op.execute(statement)


def downgrade() -> None:
    for statement in pending_undo_sql(_schema(op.get_bind())):
        op.execute(statement)
    op.drop_table(CHECKED)
