"""The admin: ModelAdmins register as their modules are imported (Django imports this package
through admin.autodiscover)."""

from articles.admin import content, desk, others, placements, roles  # noqa: F401 (registers)
