from django.core.management.base import BaseCommand

from demo import data


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        data.load()
        self.stdout.write("Demo data ready.")
