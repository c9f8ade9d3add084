"""scan sheets: answer sheets read from scans, held for review before they enter the archive

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scan_sheet',
        sa.Column('student_id', sa.String(length=36), nullable=False),
        sa.Column('plan_id', sa.String(length=36), nullable=True),
        sa.Column('scale_id', sa.String(length=20), nullable=False),
        sa.Column('scale_version', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('crops', sa.JSON(), nullable=True),
        sa.Column('pages', sa.JSON(), nullable=True),
        sa.Column('result_id', sa.String(length=36), nullable=True),
        sa.Column('reviewed_by', sa.String(length=36), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_id'], ['assessment_plan.id'], name=op.f('fk_scan_sheet_plan_id_assessment_plan')
        ),
        sa.ForeignKeyConstraint(
            ['student_id'], ['student.id'], name=op.f('fk_scan_sheet_student_id_student')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_sheet')),
    )
    op.create_index(op.f('ix_scan_sheet_student_id'), 'scan_sheet', ['student_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_scan_sheet_student_id'), table_name='scan_sheet')
    op.drop_table('scan_sheet')
