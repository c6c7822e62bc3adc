"""REST API of the core (agencies, grids, notifications)."""

extra_urls: list = []


def register(router) -> None:
    pass
