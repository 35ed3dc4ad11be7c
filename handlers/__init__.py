"""aiogram routers, one module per audience; ``get_routers`` joins them in order."""

from __future__ import annotations




def get_routers() -> list["Router"]:
    from handlers import duty, educators, fallback, groups, youth

    routes = [
        groups.router,
        educators.registration,
        educators.coordination,
        duty.router,  # /permanences, /stats (issue 6)
        educators.router,
        youth.router,
        fallback.router,
    ]
    return [declared.build() for declared in routes]
