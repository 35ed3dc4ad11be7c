"""The young person's rights: see everything kept about them (/mesdonnees), erase it (/oubli)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete

from bot.i18n import t
from bot.outbox import Button
from storage.models import OutboxMessage, Youth

ERASE_YES = "privacy:erase:yes"
ERASE_NO = "privacy:erase:no"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


class PrivacyService:
    def __init__(self, uow) -> None:
        self.uow = uow

    async def export(self, telegram_id: int) -> None:
        """Send the young person a JSON document of everything stored about them."""
        uow = self.uow
        youth = await uow.youths.by_telegram_id(telegram_id)
        if youth is None:
            await uow.outbox.send_text(telegram_id, t("privacy.export.nothing"))
            return
        document = await self.collect(youth)
        content = json.dumps(document, ensure_ascii=False, indent=2).encode()
        await uow.outbox.send_document(
            telegram_id, "mes-donnees.json", content, caption=t("privacy.export.caption")
        )
        await uow.audit.record("privacy.export", uow.now(), youth_id=youth.id)

    async def collect(self, youth: Youth) -> dict[str, Any]:
        uow = self.uow
        conversations = []
        for conversation in await uow.conversations.all_for(youth.id):
            messages = await uow.conversations.messages(conversation.id)
            conversations.append(
                {
                    "ouverte_le": _iso(conversation.opened_at),
                    "statut": conversation.status,
                    "fermee_le": _iso(conversation.closed_at),
                    "sujets": conversation.themes,
                    "niveau_de_risque": conversation.risk,
                    "raisons_du_tri": conversation.reasons,
                    "avis": conversation.feedback,
                    "commentaire": conversation.feedback_comment,
                    "messages": [
                        {
                            "date": _iso(message.created_at),
                            "de": message.direction,
                            "type": message.content_type,
                            "texte": message.text,
                            "modifie_le": _iso(message.edited_at),
                            "sujets": message.themes,
                            "niveau_de_risque": message.risk,
                        }
                        for message in messages
                    ],
                }
            )
        events = await uow.audit.for_youth(youth.id)
        return {
            "identifiant_telegram": youth.telegram_id,
            "pseudo_vu_par_les_educateurs": f"Jeune #{youth.pseudonym}",
            "premier_contact": _iso(youth.created_at),
            "dernier_contact": _iso(youth.last_seen_at),
            "commune": youth.commune_code,
            "conversations": conversations,
            "journal": [{"date": _iso(e.at), "action": e.action} for e in events],
        }

    async def ask_erase(self, telegram_id: int) -> None:
        uow = self.uow
        if await uow.youths.by_telegram_id(telegram_id) is None:
            await uow.outbox.send_text(telegram_id, t("privacy.erase.nothing"))
            return
        await uow.outbox.send_text(
            telegram_id,
            t("privacy.erase.confirm"),
            keyboard=[
                [
                    Button(t("privacy.erase.button.yes"), callback_data=ERASE_YES),
                    Button(t("privacy.erase.button.no"), callback_data=ERASE_NO),
                ]
            ],
        )

    async def erase(self, telegram_id: int) -> None:
        """Erase the young person entirely; only anonymous counters remain."""
        uow = self.uow
        now = uow.now()
        youth = await uow.youths.by_telegram_id(telegram_id)
        if youth is None:
            await uow.outbox.send_text(telegram_id, t("privacy.erase.nothing"), erase_on_send=True)
            return
        # Everything else about them cascades from the youth row (conversations, messages) or
        # loses its link to them (audit events).
        await uow.session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == telegram_id))
        await uow.youths.delete(youth)
        await uow.counters.bump("youth.erased", now)
        await uow.audit.record("privacy.erase", now)
        await uow.outbox.send_text(telegram_id, t("privacy.erase.done"), erase_on_send=True)

    async def keep(self, telegram_id: int) -> None:
        await self.uow.outbox.send_text(telegram_id, t("privacy.erase.kept"))
