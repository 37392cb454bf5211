"""The admin: ModelAdmins register as their modules are imported (Django imports this package
through admin.autodiscover)."""

from articles.admin import content, desk, placements, roles  # noqa: F401 (registers)
