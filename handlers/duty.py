"""Permanences and figures: /permanences (coordinators manage, educators see theirs), /stats."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.context import UnitOfWork
from bot.i18n import t
from bot.services.duty_views import PlanningViews
from bot.services.reports import PeriodError, period_from_args
from handlers.callbacks import acknowledge
from handlers.roles import IsCoordinator, IsEducator
from handlers.routing import Routes
from storage.models import Educator

router = Routes("duty")
router.message.filter(F.chat.type == "private")


@router.message(Command("permanences"), IsCoordinator())
async def on_team_planning(message: Message, uow: UnitOfWork) -> None:
    view = await PlanningViews(uow).team()
    await uow.outbox.send_text(message.chat.id, view.text, keyboard=view.keyboard)


@router.message(Command("permanences"), IsEducator())
async def on_own_planning(message: Message, uow: UnitOfWork, educator: Educator) -> None:
    view = await PlanningViews(uow).educator(educator, manage=False)
    await uow.outbox.send_text(message.chat.id, view.text, keyboard=view.keyboard)


@router.message(Command("stats"), IsCoordinator())
async def on_stats(message: Message, command: CommandObject, uow: UnitOfWork) -> None:
    try:
        start, end = period_from_args(command.args, uow.now(), uow.settings.service.tz)
    except PeriodError:
        await uow.outbox.send_text(message.chat.id, t("report.stats.usage"))
        return
    await uow.reports.stats(message.chat.id, start, end)


@router.callback_query(F.data.startswith("pm:"))
async def on_planning_button(
    callback: CallbackQuery, uow: UnitOfWork, educator: Educator | None = None
) -> None:
    coordinator = uow.team.is_coordinator(callback.from_user.id, educator)
    view = await PlanningViews(uow).press(callback.data or "", educator, coordinator)
    if view is None:
        acknowledge(uow, callback, t("duty.toast.not_allowed"))
        return
    if callback.message is not None:
        await uow.outbox.edit_text(
            callback.message.chat.id,
            view.text,
            message_id=callback.message.message_id,
            keyboard=view.keyboard,
        )
    acknowledge(uow, callback, view.toast)
