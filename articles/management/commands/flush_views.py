"""python manage.py flush_views: write the view counts waiting in the cache to the database.

The beacon does this itself at most once a minute per process while readers come; run this from
cron on a quiet site, so the last views of the evening do not wait for the morning's first
reader. It writes the minutes that are over, as the beacon would (articles/audience/flush.py).
With local memory as the cache (no REDIS_URL) this process has its own, empty buffer.
"""

from django.core.management.base import BaseCommand

from articles.audience.flush import flush_views


class Command(BaseCommand):
    help = "Write the view counts waiting in the cache to the database (阅读量)."

    def handle(self, *args, **options):
        written = flush_views()
        self.stdout.write(f"{written} views written")
