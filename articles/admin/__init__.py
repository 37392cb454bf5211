"""The admin: ModelAdmins register as their modules are imported (Django imports this package
through admin.autodiscover)."""

from articles.admin import (  # noqa: F401 (registers)
    ads,
    content,
    desk,
    issues,
    media_library,
    others,
    placements,
    portal,
    roles,
    sections,
)
