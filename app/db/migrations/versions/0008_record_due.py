"""record due dates: when a record falls due, kept in an indexed column

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:10:00
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# As app/records/kinds.py declared them when this migration was written (a migration must not
# follow later changes of the code): the field a kind falls due by, or its own date until done.
DUE = {
    "session": "next_appointment",
    "contact": "follow_up_on",
    "referral": "follow_up_on",
    "appointment": "until_done",
}


def _due(kind, occurred_at, body):
    field = DUE.get(kind)
    if field is None or not isinstance(body, dict):
        return None
    if field == "until_done":
        return None if body.get("done") else occurred_at
    value = body.get(field)  # dates stay clear in a sealed body
    if not value:
        return None
    try:
        if len(str(value)) <= 10:
            return dt.datetime.combine(dt.date.fromisoformat(str(value)), dt.time(8, 0))
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def upgrade() -> None:
    with op.batch_alter_table('record') as b:
        b.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        b.create_index('ix_record_due_at', ['due_at'], unique=False)
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, kind, occurred_at, body FROM record "
            "WHERE voided_at IS NULL AND kind IN ('session', 'contact', 'referral', 'appointment')"
        )
    ).all()
    for rid, kind, occurred_at, body in rows:
        body = json.loads(body) if isinstance(body, str) else body
        when = occurred_at
        if isinstance(when, str):
            when = dt.datetime.fromisoformat(when)
        due = _due(kind, when, body)
        if due is not None:
            conn.execute(
                sa.text("UPDATE record SET due_at = :due WHERE id = :id"),
                {"due": due.isoformat(sep=" "), "id": rid},
            )


def downgrade() -> None:
    with op.batch_alter_table('record') as b:
        b.drop_index('ix_record_due_at')
        b.drop_column('due_at')
