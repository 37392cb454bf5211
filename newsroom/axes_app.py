"""django-axes with a name the admin can translate (axes names its app "Axes", untranslated)."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("登录限制")
