"""Waiting with a time limit.

``asyncio.wait_for`` on Python 3.11 can swallow a task's cancellation when the awaited thing
completes at the same moment, which leaves a stopping worker running forever; the
``asyncio.timeout`` context manager does not.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float | None) -> bool:
    """Wait for ``event``; False when ``timeout`` seconds passed first."""
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True
