"""search keys: the words the Find box looks people up by, kept in the encrypted database,
so a search is answered from the first keystroke after sign-in while the in-memory index
is built (lr_desk.services.search_keys); triggers on person mark who changed, by any path
(a save, a sync, an erasure), and take an erased person's words out at once

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Who changed: their stored keys are to be made again (any change that search reads).
MARK = "INSERT OR IGNORE INTO search_dirty (person_id) VALUES ({row}.id)"
TRIGGERS = {
    "search_person_added": f"AFTER INSERT ON person BEGIN {MARK.format(row='NEW')}; END",
    "search_person_changed": (
        "AFTER UPDATE OF given_name, family_name, preferred_name, date_of_birth, postcode, "
        "phone, deleted_at, merged_into, erased_at ON person "
        f"BEGIN {MARK.format(row='NEW')}; END"),
    # an erased person's words go in the same transaction as the erasure
    "search_person_erased": (
        "AFTER UPDATE OF erased_at ON person WHEN NEW.erased_at IS NOT NULL "
        "BEGIN DELETE FROM search_key WHERE person_id = NEW.id; END"),
    "search_person_removed": (
        "AFTER DELETE ON person BEGIN DELETE FROM search_key WHERE person_id = OLD.id; "
        f"{MARK.format(row='OLD')}; END"),
}


def upgrade() -> None:
    op.create_table(
        "search_key",
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("name_order", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("token", "person_id", name=op.f("pk_search_key")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_key_person_id", "search_key", ["person_id"])
    op.create_table(
        "search_dirty",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_search_dirty")),
        sqlite_with_rowid=False,
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    # everyone already here is keyed by the desk, after sign-in, in the background
    op.execute("INSERT INTO search_dirty (person_id) SELECT id FROM person")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("search_dirty")
    op.drop_index("ix_search_key_person_id", table_name="search_key")
    op.drop_table("search_key")
