"""``makemessages`` that also extracts ``_lazy("…")``.

Modules whose ``_`` is ``gettext`` name ``gettext_lazy`` ``_lazy`` for the
strings they mark at import time (labels of actions, events, statuses).
xgettext only knows the standard names, so without this keyword those strings
never reached the catalogue and stayed Chinese in the English UI.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
