"""Masking of reporters' personal data: the one place it is done.

ARCHITECTURE.md "Permissions": phones and names are masked for every reader
without a need to see them; on tickets only the command centre and the
responsible agency have that need (``dispatch.permissions.can_see_reporter``),
and public pages always mask.
"""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678``; short numbers keep only their last two digits."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(len(phone) - 2, 1) + phone[-2:]


def mask_name(name: str) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``: the family name's first character stays."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def reporter_for(user, ticket) -> dict[str, str]:
    """Reporter name and phone as ``user`` may read them."""
    from dispatch.permissions import can_see_reporter

    if can_see_reporter(user, ticket):
        return {"name": ticket.reporter_name, "phone": ticket.reporter_phone, "masked": False}
    return {"name": mask_name(ticket.reporter_name), "phone": mask_phone(ticket.reporter_phone), "masked": True}
