"""Events the catalog consumes: none yet; it is the source of the directory."""

STREAMS: list[str] = []


def event_handlers() -> dict:
    return {}
