from django.core.management.base import BaseCommand

from dossier import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        demo.load()
        self.stdout.write("Demo data ready.")
