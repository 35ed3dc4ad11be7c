"""A service card, short and in French, for Telegram's HTML parse mode.

Name and structure, what it is for, address with a map link and the distance, phone as a
tap-to-call link, website, today's hours and whether it is open now, free or paid, "sans
rendez-vous" when known. Every sentence comes from the catalog (``locales/fr/…/directory.po``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.directory import hours
from bot.i18n import t
from bot.outbox import Button
from storage.models.directory import InclusionService, InclusionStructure

DESCRIPTION_MAX = 160


@dataclass(frozen=True)
class Hit:
    """One ranked service, with its structure and its distance from the young person."""

    service: InclusionService
    structure: InclusionStructure
    distance_km: float | None

    @property
    def hours_expression(self) -> str | None:
        return self.service.horaires_accueil or self.structure.horaires_accueil

    @property
    def position(self) -> tuple[float, float] | None:
        for owner in (self.service, self.structure):
            if owner.geo_lat is not None and owner.geo_lon is not None:
                return owner.geo_lat, owner.geo_lon
        return None


@dataclass(frozen=True)
class Phone:
    uri: str  # "tel:+33248000000"
    display: str  # "02 48 00 00 00"


def phone(raw: str | None) -> Phone | None:
    """A tap-to-call link for a French or international number; None if it is not one."""
    if not raw:
        return None
    compact = re.sub(r"[^\d+]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+33") and len(compact) == 12:
        national = "0" + compact[3:]
        return Phone(f"tel:{compact}", _pairs(national))
    if compact.isdigit() and len(compact) == 10 and compact.startswith("0"):
        return Phone(f"tel:+33{compact[1:]}", _pairs(compact))
    if compact.isdigit() and 3 <= len(compact) <= 6:
        # Short national numbers (3949, 3230, 119).
        return Phone(f"tel:{compact}", _pairs(compact) if len(compact) == 4 else compact)
    if compact.startswith("+") and compact[1:].isdigit() and 8 <= len(compact) <= 16:
        return Phone(f"tel:{compact}", raw.strip())
    return None


def _pairs(digits: str) -> str:
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def map_url(latitude: float, longitude: float) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}"
        f"#map=17/{latitude:.5f}/{longitude:.5f}"
    )


def clock_time(moment: time) -> str:
    """French clock time: "9h", "12h30"."""
    if moment.minute:
        return t("directory.time.hour_minute", h=moment.hour, m=f"{moment.minute:02d}")
    return t("directory.time.hour", h=moment.hour)


def today_hours(intervals: tuple[tuple[time, time], ...]) -> str:
    if len(intervals) == 1 and intervals[0] == (time(0), time(0)):
        return t("directory.card.all_day")
    return t("directory.card.hours_separator").join(
        t("directory.card.interval", start=clock_time(a), end=clock_time(b)) for a, b in intervals
    )


def open_state(state: hours.HoursStatus, now: datetime, tz: ZoneInfo) -> str:
    if state.open_now:
        if state.closes_at is not None and state.closes_at.date() == now.astimezone(tz).date():
            return t("directory.card.open_until", time=clock_time(state.closes_at.time()))
        return t("directory.card.open_now")
    if state.next_open is None:
        return t("directory.card.closed")
    today = now.astimezone(tz).date()
    opens = state.next_open
    if opens.date() == today:
        return t("directory.card.opens_at", time=clock_time(opens.time()))
    if opens.date() == today + timedelta(days=1):
        return t("directory.card.opens_tomorrow", time=clock_time(opens.time()))
    return t(
        "directory.card.opens_day",
        day=t(f"directory.day.{opens.weekday()}"),
        time=clock_time(opens.time()),
    )


def _short(text: str | None) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(first) > DESCRIPTION_MAX:
        first = first[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"
    return first


def _address(owner: InclusionService | InclusionStructure) -> str:
    street = ", ".join(part for part in (owner.adresse, owner.complement_adresse) if part)
    town = " ".join(part for part in (owner.code_postal, owner.commune) if part)
    return ", ".join(part for part in (street, town) if part)


def _km(distance: float) -> str:
    if distance < 1:
        return t("directory.card.distance_m", m=int(round(distance * 1000, -1)) or 10)
    rounded = f"{distance:.1f}".replace(".", ",") if distance < 10 else f"{round(distance)}"
    return t("directory.card.distance", km=rounded)


def render_card(hit: Hit, now: datetime, tz: ZoneInfo) -> tuple[str, list[list[Button]]]:
    """The card's HTML text and its buttons (a link to the map, when the place is known)."""
    service, structure = hit.service, hit.structure

    def e(value: str, quote: bool = False) -> str:
        return html.escape(value, quote=quote)

    lines = [f"<b>{e(service.nom)}</b>"]
    if structure.nom.strip().lower() != service.nom.strip().lower():
        lines.append(f"<i>{e(structure.nom)}</i>")
    summary = _short(service.description) or _short(structure.description)
    if summary:
        lines.append(e(summary))

    place_parts = []
    address = _address(service) or _address(structure)
    if address:
        place_parts.append(e(address))
    position = hit.position
    buttons: list[list[Button]] = []
    if position is not None:
        url = map_url(*position)
        place_parts.append(f'<a href="{e(url, quote=True)}">{t("directory.card.map")}</a>')
        buttons.append([Button(t("directory.card.map_button"), url=url)])
    if hit.distance_km is not None and hit.distance_km >= 0.05:
        place_parts.append(_km(hit.distance_km))
    elif service.modes_accueil and "en-presentiel" not in service.modes_accueil:
        place_parts.append(t("directory.card.remote"))
    if place_parts:
        lines.append("📍 " + " · ".join(place_parts))

    number = phone(service.telephone) or phone(structure.telephone)
    if number is not None:
        lines.append(f'📞 <a href="{e(number.uri, quote=True)}">{e(number.display)}</a>')

    website = structure.site_web or service.lien_mobilisation
    if website and website.startswith(("https://", "http://")):
        lines.append(f'🌐 <a href="{e(website, quote=True)}">{t("directory.card.website")}</a>')

    state = hours.status(hit.hours_expression, now, tz)
    if state is None:
        lines.append("🕒 " + t("directory.card.hours_unknown"))
    else:
        today = (
            t("directory.card.today", hours=today_hours(state.today))
            if state.today
            else t("directory.card.today_closed")
        )
        status_text = open_state(state, now, tz)
        if state.open_now:
            status_text = f"<b>{status_text}</b>"
        lines.append(f"🕒 {today} · {status_text}")

    extras = []
    if service.frais == "gratuit":
        extras.append(t("directory.card.free"))
    elif service.frais == "payant":
        extras.append(t("directory.card.paid"))
    if service.modes_mobilisation and "se-presenter" in service.modes_mobilisation:
        extras.append(t("directory.card.walk_in"))
    if extras:
        lines.append("✅ " + " · ".join(extras))
    return "\n".join(lines), buttons
