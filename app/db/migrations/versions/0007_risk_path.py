"""risk path: missing items on results, flags and acknowledgement on warnings, alert notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_result') as b:
        b.add_column(sa.Column('missing_items', sa.JSON(), nullable=True))
    with op.batch_alter_table('warning') as b:
        b.add_column(sa.Column('flags', sa.JSON(), nullable=True))
        b.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        b.add_column(sa.Column('acknowledged_by', sa.String(length=36), nullable=True))
        b.add_column(sa.Column('acknowledge_note', sa.Text(), nullable=True))
    with op.batch_alter_table('critical_alert') as b:
        b.add_column(sa.Column('acknowledge_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('critical_alert') as b:
        b.drop_column('acknowledge_note')
    with op.batch_alter_table('warning') as b:
        b.drop_column('acknowledge_note')
        b.drop_column('acknowledged_by')
        b.drop_column('acknowledged_at')
        b.drop_column('flags')
    with op.batch_alter_table('assessment_result') as b:
        b.drop_column('missing_items')
