from .agencies import (
    COUNTY_WIDE_KINDS,
    SQUADRON_KINDS,
    TOWNSHIP_KINDS,
    Agency,
    AgencyKind,
    Certificate,
    Grid,
    Membership,
    Role,
)
from .calendar import CalendarYear, DayKind, HolidayOverride
from .events import AppendOnlyError, Event
from .notifications import Notification

__all__ = [
    "COUNTY_WIDE_KINDS",
    "SQUADRON_KINDS",
    "TOWNSHIP_KINDS",
    "Agency",
    "AgencyKind",
    "AppendOnlyError",
    "CalendarYear",
    "Certificate",
    "DayKind",
    "Event",
    "Grid",
    "HolidayOverride",
    "Membership",
    "Notification",
    "Role",
]
