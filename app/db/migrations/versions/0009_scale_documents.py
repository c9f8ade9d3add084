"""scale documents: city and licensed scale definitions kept in the vault by (id, version)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scale_document',
        sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('scale_id', sa.String(length=40), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('installed_at', sa.DateTime(), nullable=False),
        sa.Column('installed_by', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_scale_document')),
        sa.UniqueConstraint('scale_id', 'version', name='uq_scale_document_version'),
    )


def downgrade() -> None:
    op.drop_table('scale_document')
