"""check-ins: one covering index by edition and person for the KPIs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:40:00

The KPI engine groups an edition's check-ins by person; an index holding every
column it reads makes that one ordered index scan. The single-column index on
person_id goes: the unique index (person_id, edition_id, day, point, point_ref)
serves lookups by person, and the check-in path keeps the same number of
indexes to maintain.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_person_id")
        batch_op.create_index(
            "ix_check_ins_edition_person",
            ["edition_id", "person_id", "point", "registration_id", "scanned_at", "point_ref"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_edition_person")
        batch_op.create_index("ix_check_ins_person_id", ["person_id"], unique=False)
