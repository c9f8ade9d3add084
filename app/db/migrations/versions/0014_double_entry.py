"""double entry: each paper sheet's two passes kept apart until reconciled

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'double_entry_sheet',
        sa.Column('student_id', sa.String(length=36), nullable=False),
        sa.Column('plan_id', sa.String(length=36), nullable=True),
        sa.Column('scale_id', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('first_answers', sa.JSON(), nullable=False),
        sa.Column('first_by', sa.String(length=36), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('second_answers', sa.JSON(), nullable=True),
        sa.Column('second_by', sa.String(length=36), nullable=True),
        sa.Column('second_at', sa.DateTime(), nullable=True),
        sa.Column('same_user_reason', sa.Text(), nullable=True),
        sa.Column('chosen', sa.JSON(), nullable=True),
        sa.Column('mismatches', sa.Integer(), nullable=True),
        sa.Column('reconciled_by', sa.String(length=36), nullable=True),
        sa.Column('reconciled_at', sa.DateTime(), nullable=True),
        sa.Column('result_id', sa.String(length=36), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_id'],
            ['assessment_plan.id'],
            name=op.f('fk_double_entry_sheet_plan_id_assessment_plan'),
        ),
        sa.ForeignKeyConstraint(
            ['student_id'], ['student.id'], name=op.f('fk_double_entry_sheet_student_id_student')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_double_entry_sheet')),
    )
    op.create_index(
        op.f('ix_double_entry_sheet_student_id'), 'double_entry_sheet', ['student_id']
    )
    op.create_index(op.f('ix_double_entry_sheet_plan_id'), 'double_entry_sheet', ['plan_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_double_entry_sheet_plan_id'), table_name='double_entry_sheet')
    op.drop_index(op.f('ix_double_entry_sheet_student_id'), table_name='double_entry_sheet')
    op.drop_table('double_entry_sheet')
