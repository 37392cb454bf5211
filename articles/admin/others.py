"""Other apps' admins (auth is in roles.py), registered again with the project's checked
changelist, so a parameter their database query cannot run is a 400 there too (params.py)."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.redirects.admin import RedirectAdmin
from django.contrib.redirects.models import Redirect

from articles.admin.params import CheckedLookupsMixin


class CheckedRedirectAdmin(CheckedLookupsMixin, RedirectAdmin):
    pass


class CheckedAccessAttemptAdmin(CheckedLookupsMixin, AccessAttemptAdmin):
    pass


class CheckedAccessLogAdmin(CheckedLookupsMixin, AccessLogAdmin):
    pass


class CheckedAccessFailureLogAdmin(CheckedLookupsMixin, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (Redirect, CheckedRedirectAdmin),
    (AccessAttempt, CheckedAccessAttemptAdmin),
    (AccessLog, CheckedAccessLogAdmin),
    (AccessFailureLog, CheckedAccessFailureLogAdmin),
):
    if admin.site.is_registered(model):  # axes registers its admins only when told to
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
