"""sync: per-row clocks, conflicts kept for review, the sync cursor, person merges

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _synced_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("seen", sa.JSON(), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(length=36), nullable=True))
        batch.create_foreign_key(op.f("fk_person_merged_into_person"), "person",
                                 ["merged_into"], ["id"])
    op.create_index("ix_person_merged_into", "person", ["merged_into"])
    op.create_table(
        "row_clock",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("base", sa.String(length=80), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_row_clock")),
    )
    _clocks_from_the_outbox()
    op.create_table(
        "conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("hlc", sa.String(length=80), nullable=False),
        sa.Column("winner_hlc", sa.String(length=80), nullable=False),
        sa.Column("by", sa.String(length=36), nullable=True),
        sa.Column("winner_by", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_hlc", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict")),
    )
    op.create_index("ux_conflict_value", "conflict", ["entity_id", "field", "hlc"],
                    unique=True)
    op.create_index("ix_conflict_open", "conflict", ["resolved_hlc"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "person_merge",
        sa.Column("survivor_id", sa.String(length=36), nullable=False),
        sa.Column("merged_id", sa.String(length=36), nullable=False),
        sa.Column("advisor_id", sa.String(length=36), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        *_synced_columns(),
        sa.ForeignKeyConstraint(["survivor_id"], ["person.id"],
                                name=op.f("fk_person_merge_survivor_id_person")),
        sa.ForeignKeyConstraint(["merged_id"], ["person.id"],
                                name=op.f("fk_person_merge_merged_id_person")),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"],
                                name=op.f("fk_person_merge_advisor_id_advisor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merge")),
    )
    op.create_index(op.f("ix_person_merge_survivor_id"), "person_merge", ["survivor_id"])
    op.create_index(op.f("ix_person_merge_merged_id"), "person_merge", ["merged_id"])
    op.create_table(
        "not_duplicate",
        sa.Column("person_a", sa.String(length=36), nullable=False),
        sa.Column("person_b", sa.String(length=36), nullable=False),
        sa.Column("advisor_id", sa.String(length=36), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(["person_a"], ["person.id"],
                                name=op.f("fk_not_duplicate_person_a_person")),
        sa.ForeignKeyConstraint(["person_b"], ["person.id"],
                                name=op.f("fk_not_duplicate_person_b_person")),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"],
                                name=op.f("fk_not_duplicate_advisor_id_advisor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_not_duplicate")),
    )


def _clocks_from_the_outbox() -> None:
    """Every change made so far is in the outbox with its clock: the clocks of the rows'
    current values follow from it (the first entry is the insert; later ones updates), so
    that what a desk wrote before it could sync is not taken for older than it is."""
    import json

    conn = op.get_bind()
    conn.exec_driver_sql(
        "INSERT INTO row_clock (entity_id, base) "
        "SELECT entity_id, MIN(hlc) FROM outbox GROUP BY entity_id")
    fields: dict[str, dict[str, str]] = {}
    for entity_id, changed, hlc in conn.exec_driver_sql(
            "SELECT entity_id, fields, hlc FROM outbox WHERE op = 'update' ORDER BY seq"):
        newest = fields.setdefault(entity_id, {})
        for name in json.loads(changed):
            newest[name] = hlc
    if fields:
        conn.exec_driver_sql("UPDATE row_clock SET fields = ? WHERE entity_id = ?",
                             [(json.dumps(f), entity_id) for entity_id, f in fields.items()])


def downgrade() -> None:
    op.drop_table("not_duplicate")
    op.drop_index(op.f("ix_person_merge_merged_id"), table_name="person_merge")
    op.drop_index(op.f("ix_person_merge_survivor_id"), table_name="person_merge")
    op.drop_table("person_merge")
    op.drop_table("sync_state")
    op.drop_index("ix_conflict_open", table_name="conflict")
    op.drop_index("ux_conflict_value", table_name="conflict")
    op.drop_table("conflict")
    op.drop_table("row_clock")
    op.drop_index("ix_person_merged_into", table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("fk_person_merged_into_person"), type_="foreignkey")
        batch.drop_column("merged_into")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("seen")
