"""``manage.py restore DIR``: replace the database and the uploaded files with a backup (checked first)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enforcement.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`. Stop the web server and the workers first."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup directory (holding manifest.json)")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args, folder, yes, **options):
        if not yes and input("This replaces the whole database and every uploaded file. Type 'yes': ") != "yes":
            raise CommandError("restore cancelled")
        try:
            manifest = restore(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the backup of {manifest['created_at']} ({len(manifest['media'])} files)")
