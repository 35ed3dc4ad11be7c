"""Router declarations that can be built more than once.

An aiogram ``Router`` can belong to one Dispatcher only, but tests, the demo and benchmarks build
several applications in one process. Handler modules therefore declare their routes on a
``Routes`` object, with the same syntax as a ``Router`` (``routes.message.filter(...)``,
``@routes.message(...)``); ``build()`` makes a fresh ``Router`` for each Dispatcher.

Magic filters (``F.chat.type == "private"``) are checked in the event loop: aiogram runs any
plain callable, ``F`` expressions included, in a worker thread, a thread hop for every check of
every update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.utils.magic_filter import MagicFilter


class InlineMagic(Filter):
    """A magic filter resolved on the event loop, with the same result aiogram would use."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: Any) -> Any:
        return self.magic.resolve(event)


def _inline(filters: tuple) -> tuple:
    return tuple(InlineMagic(f) if isinstance(f, MagicFilter) else f for f in filters)


class _Observer:
    def __init__(self, routes: Routes, name: str) -> None:
        self._routes = routes
        self._name = name

    def filter(self, *filters: Any) -> None:
        self._routes._filters.append((self._name, filters))

    def __call__(self, *filters: Any, **kwargs: Any) -> Callable:
        def register(callback: Callable) -> Callable:
            self._routes._handlers.append((self._name, filters, kwargs, callback))
            return callback

        return register


class Routes:
    OBSERVERS = ("message", "edited_message", "callback_query", "my_chat_member")

    def __init__(self, name: str) -> None:
        self.name = name
        self._filters: list[tuple[str, tuple]] = []
        self._handlers: list[tuple[str, tuple, dict, Callable]] = []
        for observer in self.OBSERVERS:
            setattr(self, observer, _Observer(self, observer))

    def build(self) -> Router:
        router = Router(name=self.name)
        for observer, filters in self._filters:
            getattr(router, observer).filter(*_inline(filters))
        for observer, filters, kwargs, callback in self._handlers:
            getattr(router, observer).register(callback, *_inline(filters), **kwargs)
        return router
