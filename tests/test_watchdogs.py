"""Watchdogs and inactivity: nobody waits unseen, and each alert fires once per threshold."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from config.settings import DutySettings
from tests.test_duty_helpers import (
    add_educator,
    educator_says,
    paris,
    restarted,
    sent_texts,
    take,
    waiting_youth,
    youth_says,
)

LEA, MARC, COORD = 50, 51, 60


@pytest.fixture
def clock():
    return ManualClock(paris(2026, 11, 23, 15, 0))


def configure(services, **values) -> None:
    services.settings.duty = DutySettings(_env_file=None, **values)


async def sweep(services):
    async with services.unit_of_work() as uow:
        return await uow.watchdogs.sweep()


def alerts(texts: list[str], marker: str) -> list[str]:
    return [text for text in texts if marker in text]


async def test_imminent_risk_waiting_alerts_everyone_on_duty_and_coordinators_once(services, clock):
    await add_educator(services, LEA, "Léa", on_duty=True)
    await add_educator(services, MARC, "Marc", on_duty=False)
    await add_educator(services, COORD, "Claire", coordinator=True, on_duty=False)
    conversation = await waiting_youth(services, 7, risk="imminent", themes=("sante_mentale",))

    clock.advance(minutes=1, seconds=59)
    assert (await sweep(services)).imminent == []

    clock.advance(seconds=2)  # 2 minutes and a second
    assert (await sweep(services)).imminent == [conversation]
    lea_alerts = alerts(await sent_texts(services, LEA), "URGENT : Jeune #")
    coordinator_alerts = alerts(await sent_texts(services, COORD), "URGENT : Jeune #")
    assert len(lea_alerts) == 1 and len(coordinator_alerts) == 1
    assert "attend depuis 2 min" in lea_alerts[0] and "santé mentale" in lea_alerts[0]
    assert alerts(await sent_texts(services, MARC), "URGENT") == []  # off duty, not coordinator
    assert alerts(await sent_texts(services, 900), "URGENT")  # ADMIN_IDS are told too

    # Every minute after: nothing more, in this process or after a restart.
    for _ in range(5):
        clock.advance(minutes=1)
        assert (await sweep(services)).imminent == []
    async with restarted(services).unit_of_work() as uow:
        assert (await uow.watchdogs.sweep()).imminent == []
    assert len(alerts(await sent_texts(services, LEA), "URGENT : Jeune #")) == 1
    assert len(alerts(await sent_texts(services, COORD), "URGENT : Jeune #")) == 1


async def test_imminent_counts_from_when_the_danger_was_written(services, clock):
    await add_educator(services, LEA, "Léa", on_duty=True)
    conversation = await waiting_youth(services, 7)  # waiting, no risk
    clock.advance(minutes=20)
    await youth_says(services, 7, "j'ai pris tous mes médicaments", risk="imminent")
    clock.advance(minutes=1)
    assert (await sweep(services)).imminent == []  # one minute since the danger, not 21
    clock.advance(minutes=1)
    assert (await sweep(services)).imminent == [conversation]


async def test_waiting_conversations_are_announced_again_once_per_threshold(services, clock):
    configure(services, watchdog_waiting_minutes="10,30")
    await add_educator(services, LEA, "Léa", on_duty=True)
    conversation = await waiting_youth(services, 7, themes=("emploi",))
    marker = "attend toujours"

    clock.advance(minutes=9)
    assert (await sweep(services)).waiting == []
    clock.advance(minutes=1)
    assert (await sweep(services)).waiting == [conversation]
    for _ in range(19):
        clock.advance(minutes=1)
        assert (await sweep(services)).waiting == []
    clock.advance(minutes=1)  # 30 minutes
    assert (await sweep(services)).waiting == [conversation]
    for _ in range(30):
        clock.advance(minutes=1)
        assert (await sweep(services)).waiting == []
    texts = alerts(await sent_texts(services, LEA), marker)
    assert len(texts) == 2
    assert "depuis 10 min" in texts[0] and "depuis 30 min" in texts[1] and "emploi" in texts[0]


async def test_no_announcement_while_nobody_is_on_duty(services, clock):
    configure(services, watchdog_waiting_minutes="10,30")
    lea = await add_educator(services, LEA, "Léa", on_duty=False)
    conversation = await waiting_youth(services, 7)
    clock.advance(minutes=15)
    assert (await sweep(services)).waiting == []
    # She comes on duty: the queue is offered to her at once (a card). The 10-minute alert
    # passed while nobody was there: she is not told again a minute after seeing the card,
    # only at the next threshold.
    async with services.unit_of_work() as uow:
        await uow.team.set_on_duty(await uow.educators.get(lea), True)
        assert [c.educator_id for c in await uow.queue.active_cards(conversation)] == [lea]
    for _ in range(14):
        clock.advance(minutes=1)
        assert (await sweep(services)).waiting == []
    clock.advance(minutes=1)  # 30 minutes
    assert (await sweep(services)).waiting == [conversation]
    texts = alerts(await sent_texts(services, LEA), "attend toujours")
    assert len(texts) == 1 and "depuis 30 min" in texts[0]


async def test_unanswered_young_person_is_flagged_to_the_educator_once(services, clock):
    configure(services, unanswered_minutes=10)
    lea = await add_educator(services, LEA, "Léa", on_duty=True)
    conversation = await waiting_youth(services, 7)
    await take(services, lea, conversation)
    await educator_says(services, lea, conversation)
    clock.advance(minutes=30)
    assert (await sweep(services)).unanswered == []  # the young person has not written since

    await youth_says(services, 7, "t'es là ?")
    clock.advance(minutes=9)
    assert (await sweep(services)).unanswered == []
    clock.advance(minutes=1)
    assert (await sweep(services)).unanswered == [conversation]
    clock.advance(minutes=1)
    assert (await sweep(services)).unanswered == []
    flagged = alerts(await sent_texts(services, LEA), "attend ta réponse")
    assert len(flagged) == 1 and "depuis 10 min" in flagged[0]
    async with services.unit_of_work() as uow:
        assert (await uow.conversations.get(conversation)).status == "assigned"  # not configured

    # She answers, the young person writes again: a new wait, a new flag.
    await educator_says(services, lea, conversation, "oui pardon")
    await youth_says(services, 7, "ok")
    clock.advance(minutes=10)
    assert (await sweep(services)).unanswered == [conversation]


async def test_unanswered_conversation_goes_back_to_the_queue_when_configured(services, clock):
    configure(services, unanswered_minutes=10, requeue_unanswered=True, requeue_unanswered_minutes=20)
    lea = await add_educator(services, LEA, "Léa", on_duty=True)
    marc = await add_educator(services, MARC, "Marc", on_duty=True)
    conversation = await waiting_youth(services, 7)
    await take(services, lea, conversation)  # taken, never answered
    clock.advance(minutes=10)
    result = await sweep(services)
    assert result.unanswered == [conversation] and result.requeued == []
    assert "remise dans la file dans 10 min" in alerts(await sent_texts(services, LEA), "attend ta réponse")[0]
    clock.advance(minutes=10)
    result = await sweep(services)
    assert result.requeued == [conversation]
    async with services.unit_of_work() as uow:
        back = await uow.conversations.get(conversation)
        assert back.status == "waiting" and back.assigned_educator_id is None
        # Marc is offered it; the note says why.
        assert marc in [c.educator_id for c in await uow.queue.active_cards(conversation)]
        notes = await uow.queue.notes(conversation)
        assert "automatiquement" in notes[-1].text
    assert alerts(await sent_texts(services, LEA), "remise dans la file pour un·e collègue")
    youth_texts = await sent_texts(services, 7)
    assert any("passer la main" in text for text in youth_texts)
    clock.advance(minutes=1)
    assert (await sweep(services)).requeued == []


async def test_inactive_conversation_is_closed_kindly_with_the_feedback_question(services, clock):
    lea = await add_educator(services, LEA, "Léa", on_duty=True)
    chatting = await youth_says(services, 7, "je cherche un job d'été")  # with the bot
    followed = await waiting_youth(services, 8)
    await take(services, lea, followed)
    await educator_says(services, lea, followed)
    still_waiting = await waiting_youth(services, 9)

    clock.advance(hours=23, minutes=59)
    async with services.unit_of_work() as uow:
        assert await uow.watchdogs.close_inactive() == []
    clock.advance(minutes=2)
    async with services.unit_of_work() as uow:
        closed = await uow.watchdogs.close_inactive()
    assert sorted(closed) == sorted([chatting, followed])
    async with services.unit_of_work() as uow:
        assert (await uow.conversations.get(chatting)).status == "closed"
        assert (await uow.conversations.get(chatting)).closed_by == "inactivity"
        assert (await uow.conversations.get(followed)).status == "closed"
        # Promised an answer: a young person waiting for an educator is not dropped.
        assert (await uow.conversations.get(still_waiting)).status == "waiting"
    told = await sent_texts(services, 7)
    assert "On ne s'est pas écrit depuis un moment" in told[-2]
    assert "Est-ce que ça t'a aidé ?" in told[-1]
    assert any("Pas de message depuis 24 h" in text for text in await sent_texts(services, LEA))

    clock.advance(minutes=1)
    async with services.unit_of_work() as uow:
        assert await uow.watchdogs.close_inactive() == []
    assert len([t for t in await sent_texts(services, 7) if "pas écrit" in t]) == 1


async def test_a_conversation_with_only_start_is_closed_quietly(services, clock):
    async with services.unit_of_work() as uow:
        await uow.conversation.start(7)
    before = await sent_texts(services, 7)
    clock.advance(hours=25)
    async with services.unit_of_work() as uow:
        assert len(await uow.watchdogs.close_inactive()) == 1
    assert await sent_texts(services, 7) == before  # nothing to ask about


def test_thresholds_come_from_the_environment_and_a_wrong_one_is_named(monkeypatch, tmp_path):
    from bot.cli import config_error_sentence
    from config.settings import ConfigError, load_settings

    monkeypatch.chdir(tmp_path)  # no developer's .env
    values = {
        "WATCHDOG_IMMINENT_MINUTES": "3",
        "WATCHDOG_WAITING_MINUTES": "30, 5;15",
        "UNANSWERED_MINUTES": "20",
        "REQUEUE_UNANSWERED": "true",
        "REQUEUE_UNANSWERED_MINUTES": "45",
        "INACTIVITY_HOURS": "48",
        "YOUTH_RETENTION_DAYS": "365",
        "RETENTION_DAYS": "14",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    duty = settings.duty
    assert duty.watchdog_imminent_minutes == 3
    assert duty.watchdog_waiting_minutes == [5, 15, 30]
    assert (duty.unanswered_minutes, duty.requeue_unanswered, duty.requeue_unanswered_minutes) == (20, True, 45)
    assert duty.inactivity_hours == 48 and duty.youth_retention_days == 365
    assert settings.service.retention_days == 14

    monkeypatch.setenv("WATCHDOG_WAITING_MINUTES", "10,0")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert error.value.variable == "WATCHDOG_WAITING_MINUTES"
    assert "liste de minutes positives" in config_error_sentence(error.value)
    monkeypatch.setenv("WATCHDOG_WAITING_MINUTES", "10")
    monkeypatch.setenv("YOUTH_RETENTION_DAYS", "1000")  # beyond the CNIL's two years
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert error.value.variable == "YOUTH_RETENTION_DAYS"


async def test_inactivity_delay_follows_the_setting(services, clock):
    configure(services, inactivity_hours=2)
    chatting = await youth_says(services, 7, "je cherche un job d'été")
    clock.advance(hours=1, minutes=59)
    async with services.unit_of_work() as uow:
        assert await uow.watchdogs.close_inactive() == []
    clock.advance(minutes=2)
    async with services.unit_of_work() as uow:
        assert await uow.watchdogs.close_inactive() == [chatting]
    assert any("Pas de message depuis 2 h" in text or "pas écrit" in text for text in await sent_texts(services, 7))


async def test_a_colleague_coming_on_duty_does_not_silence_the_alert_of_the_one_on_duty(services, clock):
    configure(services, watchdog_waiting_minutes="10,30")
    await add_educator(services, LEA, "Léa", on_duty=True)
    marc = await add_educator(services, MARC, "Marc", on_duty=False)
    conversation = await waiting_youth(services, 7)
    clock.advance(minutes=10, seconds=20)  # the threshold passed, the next sweep is not yet done
    async with services.unit_of_work() as uow:
        await uow.team.set_on_duty(await uow.educators.get(marc), True)
    clock.advance(seconds=30)
    assert (await sweep(services)).waiting == [conversation]
    assert len(alerts(await sent_texts(services, LEA), "attend toujours")) == 1
