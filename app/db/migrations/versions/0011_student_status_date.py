"""student status date: when a student transferred out, graduated or was suspended, and why

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Plain ALTER TABLE: a batch copy of `student` would drop the table that guardians, results and
# records point at (SQLite ≥ 3.35 drops a column in place).
def upgrade() -> None:
    op.add_column('student', sa.Column('status_on', sa.Date(), nullable=True))
    op.add_column('student', sa.Column('status_note', sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column('student', 'status_note')
    op.drop_column('student', 'status_on')
