"""Admin forms that upload files survive a failing media storage (disk full, read-only, gone).

Django's admin saves inside one transaction; when the storage raises OSError halfway, the
transaction is rolled back (no half-saved row) and the form is shown again, with everything the
editor typed and an error saying the image could not be stored.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

STORAGE_ERROR = _(
    "图片无法保存到存储（磁盘已满或不可写），这次没有保存任何内容。你写的文字还在下面的表单里；"
    "请稍后重试，或先去掉图片保存文字。Images could not be stored; nothing was saved."
)


class StorageErrorAdminMixin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            if request.method != "POST":
                raise
            logger.exception("media storage failed while saving a %s", self.model._meta.label)
            request.media_storage_failed = True
            # The transaction has been rolled back; validate again to show the form with data.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "media_storage_failed", False):
            return form

        def clean(self):
            super(refused, self).clean()
            raise ValidationError(STORAGE_ERROR, code="storage_failed")

        refused = type(form.__name__, (form,), {"clean": clean})
        return refused
