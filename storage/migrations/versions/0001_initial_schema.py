"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 02:13:50.818893
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('daily_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'name', name=op.f('pk_daily_counters'))
    )
    op.create_table('educators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('structure', sa.String(length=128), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('selected_conversation_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_educators')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_educators_telegram_id'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('not_before', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_message_id', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('erase_on_send', sa.Boolean(), nullable=False),
    sa.Column('ref_kind', sa.String(length=24), nullable=True),
    sa.Column('ref_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_chat_status', ['chat_id', 'status'], unique=False)
        batch_op.create_index('ix_outbox_status_id', ['status', 'id'], unique=False)

    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    op.create_table('youths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('pseudonym', sa.String(length=12), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('welcomed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unreachable_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('awaiting', sa.String(length=48), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_youths')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_youths_pseudonym')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_youths_telegram_id'))
    )
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('risk', sa.String(length=16), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('opened_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalation_reason', sa.String(length=16), nullable=True),
    sa.Column('assigned_educator_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer_due_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_up_to', sa.Integer(), nullable=False),
    sa.Column('feedback', sa.String(length=16), nullable=True),
    sa.Column('feedback_comment', sa.Text(), nullable=True),
    sa.Column('closed_by', sa.String(length=16), nullable=True),
    sa.Column('educator_thread_id', sa.BigInteger(), nullable=True),
    sa.Column('topic_outbox_id', sa.Integer(), nullable=True),
    sa.Column('preferred_educator_id', sa.Integer(), nullable=True),
    sa.Column('offered_to_all_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('transfer_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_educator_id'], ['educators.id'], name=op.f('fk_conversations_assigned_educator_id_educators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['preferred_educator_id'], ['educators.id'], name=op.f('fk_conversations_preferred_educator_id_educators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['transfer_to_id'], ['educators.id'], name=op.f('fk_conversations_transfer_to_id_educators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['youth_id'], ['youths.id'], name=op.f('fk_conversations_youth_id_youths'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_status_answer_due', ['status', 'answer_due_at'], unique=False)
        batch_op.create_index('ix_conversations_youth_status', ['youth_id', 'status'], unique=False)

    op.create_table('educator_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.BigInteger(), nullable=True),
    sa.Column('used_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['educators.id'], name=op.f('fk_educator_invites_created_by_educators'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_educator_invites')),
    sa.UniqueConstraint('token', name=op.f('uq_educator_invites_token'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=True),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_audit_events_conversation_id_conversations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_audit_events_educator_id_educators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['youth_id'], ['youths.id'], name=op.f('fk_audit_events_youth_id_youths'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('conversation_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_notes_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_conversation_notes_educator_id_educators'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_notes'))
    )
    with op.batch_alter_table('conversation_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_notes_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=12), nullable=False),
    sa.Column('content_type', sa.String(length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('file_id', sa.String(length=255), nullable=True),
    sa.Column('media_group_id', sa.String(length=64), nullable=True),
    sa.Column('tg_message_id', sa.BigInteger(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('copy_message_id', sa.BigInteger(), nullable=True),
    sa.Column('copy_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('risk', sa.String(length=16), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_messages_educator_id_educators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_messages_outbox_id_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_chat_message', ['conversation_id', 'tg_message_id'], unique=False)
        batch_op.create_index('ix_messages_conversation_id_id', ['conversation_id', 'id'], unique=False)
        batch_op.create_index('ix_messages_copy', ['copy_chat_id', 'copy_message_id'], unique=False)

    op.create_table('queue_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_queue_cards_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_queue_cards_educator_id_educators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_queue_cards_outbox_id_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_cards'))
    )
    with op.batch_alter_table('queue_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_cards_conversation_id'), ['conversation_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('queue_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_cards_conversation_id'))

    op.drop_table('queue_cards')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_copy')
        batch_op.drop_index('ix_messages_conversation_id_id')
        batch_op.drop_index('ix_messages_chat_message')

    op.drop_table('messages')
    with op.batch_alter_table('conversation_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_notes_conversation_id'))

    op.drop_table('conversation_notes')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    op.drop_table('educator_invites')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_youth_status')
        batch_op.drop_index('ix_conversations_status_answer_due')

    op.drop_table('conversations')
    op.drop_table('youths')
    op.drop_table('processed_updates')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_id')
        batch_op.drop_index('ix_outbox_chat_status')

    op.drop_table('outbox')
    op.drop_table('educators')
    op.drop_table('daily_counters')

