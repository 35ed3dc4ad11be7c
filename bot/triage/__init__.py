"""Triage of young people's messages: themes and risk level, with the reasons.

Pure and fast; all the knowledge is data in ``config/triage/*.yaml`` and
``config/helplines.yaml``. Load once (``Triage.from_config()``), then call ``classify`` or
``classify_burst`` from any thread.
"""

from .classifier import Risk, Triage, TriageResult, risk_rank
from .cli import register, run_cli
from .helplines import HelpLine, helplines_for, load_helplines

__all__ = [
    "HelpLine",
    "Risk",
    "Triage",
    "TriageResult",
    "helplines_for",
    "load_helplines",
    "register",
    "risk_rank",
    "run_cli",
]
