"""``manage.py backup [--output DIR]``: the database and the uploaded files, with a manifest of checksums."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enforcement.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the uploaded files into one directory (see enforcement/backup.py)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "backup"),
                            help="directory under which the backup directory is created")

    def handle(self, *args, output, **options):
        try:
            folder = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
