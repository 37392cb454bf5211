"""Reads of public pages go to the PostgreSQL streaming replica; everything else to the primary.

Active only when DATABASE_REPLICA_URL is set (settings add the "replica" alias and this router).
ReplicaReadsMiddleware marks a request as a public read -- GET or HEAD, no login session, not the
admin -- and only then do reads go to the replica. Writes always go to the primary, and after the
first write in a request the rest of that request reads from the primary too, so a user sees what
they just wrote. Management commands, the shell, migrations and background code have no request
and use the primary.
"""

import contextvars

from django.conf import settings

REPLICA = "replica"
_replica_reads = contextvars.ContextVar("newsroom_replica_reads", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _replica_reads.get() else "default"

    def db_for_write(self, model, **hints):
        _replica_reads.set(False)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def is_public_read(request):
    admin = f"/{getattr(settings, 'ADMIN_URL', 'admin/')}"
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(admin)
    )


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_reads.set(replica_configured() and is_public_read(request))
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)
