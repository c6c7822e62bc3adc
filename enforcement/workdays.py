def notify_uncovered_years() -> list[int]:
    return []
