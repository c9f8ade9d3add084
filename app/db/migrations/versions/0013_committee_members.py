"""committee members: each class's 心理委员 (students) with their term

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'committee_member',
        sa.Column('class_id', sa.String(length=36), nullable=False),
        sa.Column('student_id', sa.String(length=36), nullable=False),
        sa.Column('term_start', sa.Date(), nullable=False),
        sa.Column('term_end', sa.Date(), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['class_id'],
            ['school_class.id'],
            name=op.f('fk_committee_member_class_id_school_class'),
        ),
        sa.ForeignKeyConstraint(
            ['student_id'], ['student.id'], name=op.f('fk_committee_member_student_id_student')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_member')),
    )
    op.create_index(
        op.f('ix_committee_member_class_id'), 'committee_member', ['class_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_committee_member_class_id'), table_name='committee_member')
    op.drop_table('committee_member')
