"""record body schema: the format each record body (and each kept version) was written in

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('record', 'record_version'):
        with op.batch_alter_table(table) as b:
            b.add_column(sa.Column('body_schema', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    for table in ('record', 'record_version'):
        with op.batch_alter_table(table) as b:
            b.drop_column('body_schema')
