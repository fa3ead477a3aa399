from django.core.management.base import BaseCommand

from demo import data


class Command(BaseCommand):
    help = "Print the portal's address and the demo sign-ins."

    def handle(self, *args, **options):
        self.stdout.write("\nMon dossier: http://127.0.0.1:8000   (administration: http://127.0.0.1:8000/admin/)\n")
        self.stdout.write("Demo sign-ins:")
        for who, username, password in data.sign_ins():
            self.stdout.write(f"  {username:<20} {password:<20} {who}")
        self.stdout.write("Ctrl-C stops the portal, the worker and the scheduler.\n")
