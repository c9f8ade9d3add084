"""plan participants: a student of a plan marked absent, refused or opted out, by whom and why

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'plan_participant',
        sa.Column('plan_id', sa.String(length=36), nullable=False),
        sa.Column('student_id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by', sa.String(length=36), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_id'],
            ['assessment_plan.id'],
            name=op.f('fk_plan_participant_plan_id_assessment_plan'),
        ),
        sa.ForeignKeyConstraint(
            ['student_id'], ['student.id'], name=op.f('fk_plan_participant_student_id_student')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_participant')),
        sa.UniqueConstraint('plan_id', 'student_id', name='uq_plan_participant_student'),
    )
    op.create_index(
        op.f('ix_plan_participant_plan_id'), 'plan_participant', ['plan_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_participant_plan_id'), table_name='plan_participant')
    op.drop_table('plan_participant')
