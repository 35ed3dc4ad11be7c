"""The learned safety net (config/triage/learned_net.yaml): a last resort after the rules."""

from __future__ import annotations

import pytest

from bot.triage import Risk, Triage


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.from_config()


def test_net_is_loaded_and_readable(triage: Triage) -> None:
    net = triage.lexicon.learned
    assert net is not None
    assert net.threshold > 0 and len(net.weights) > 100
    # the words weigh what one expects: laughter lowers, blows raise
    assert net.weights.get("mdr", 0) < 0 < net.weights.get("frappe", 0)
    # words too common to mean anything alone are only learned inside pairs
    assert "je" not in net.weights and "me" not in net.weights


def test_net_flags_only_as_elevated_with_its_words(triage: Triage) -> None:
    # no rule covers this wording; an adult figure and unease: when in doubt, elevated
    res = triage.classify("mon beau pere me regarde bizarre")
    assert res.risk is Risk.ELEVATED
    assert any(r.startswith("risque: message proche") and "à vérifier" in r for r in res.reasons)
    assert "learned_net" in res.risk_families


@pytest.mark.parametrize("text", [
    "mdr ce prof va me tuer avec ses devoirs",
    "comment on fait un cv quand on a jamais travaillé",
    "jai tué le boss final hier soir",
    "coucou ca va?",
])
def test_net_stays_quiet_on_ordinary_messages(triage: Triage, text: str) -> None:
    res = triage.classify(text)
    assert "learned_net" not in res.risk_families


def test_rules_still_decide_when_they_fire(triage: Triage) -> None:
    res = triage.classify("jai pris toute la boite de doliprane il y a une heure")
    assert res.risk is Risk.IMMINENT
    assert "learned_net" not in res.risk_families
