"""Whatever no other router took: buttons that no longer exist, updates we do not use."""

from __future__ import annotations

import logging


from aiogram.types import CallbackQuery

from bot.context import UnitOfWork
from handlers.routing import Routes
from bot.i18n import t
from handlers.callbacks import acknowledge

log = logging.getLogger(__name__)
router = Routes("fallback")


@router.callback_query()
async def on_unknown_button(callback: CallbackQuery, uow: UnitOfWork) -> None:
    acknowledge(uow, callback, t("callback.expired"))
