"""Changes that grant or use authority carry proof from here on (lr_desk.store.authority).

Both: ``central_meta`` records ``proofs_from``, the log's head at this upgrade. Accounts
and erasures the log holds up to it were made before proofs and are taken as they are by
every desk; after it, a desk applies one only with a proof it can check. A device may
read central_meta but not write it (migration c2), so no device can move the line.

Revision ID: c6
Revises: c5
"""

import sqlalchemy as sa
from alembic import op

revision = "c6"
down_revision = "c5"
branch_labels = None
depends_on = None

meta = sa.table("central_meta", sa.column("key"), sa.column("value"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.scalar(sa.select(meta.c.value).where(meta.c.key == "proofs_from")) is None:
        head = bind.scalar(sa.text("SELECT COALESCE(MAX(seq), 0) FROM change_log"))
        op.execute(meta.insert().values(key="proofs_from", value=str(head)))


def downgrade() -> None:
    op.execute(meta.delete().where(meta.c.key == "proofs_from"))
