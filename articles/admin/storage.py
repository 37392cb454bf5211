"""Admin forms that upload files survive a failing media storage (disk full, read-only, gone).

Django's admin saves inside one transaction; when the storage raises OSError halfway, the
transaction is rolled back (no half-saved row), the files the attempt wrote are deleted (nothing
points at them any more) and the form is shown again, with everything the editor typed and an
error saying the image could not be stored, or that the disk is full.

An image the editor left alone keeps its stored size instead of being measured again, so a file
missing from storage no longer makes every save of the article's text fail.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.media.renditions import discard_files
from articles.media.storage import is_disk_full, recording_writes

logger = logging.getLogger(__name__)

STORAGE_ERROR = _(
    "图片无法保存到存储（磁盘已满或不可写），这次没有保存任何内容。你写的文字还在下面的表单里；"
    "请稍后重试，或先去掉图片保存文字。Images could not be stored; nothing was saved."
)
DISK_FULL_ERROR = _(
    "服务器存储空间已满，图片没有保存，这次也没有保存任何内容。你写的文字还在下面的表单里；"
    "请联系管理员清理空间后重试，或先去掉新图片保存文字。"
)


class StorageErrorAdminMixin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with recording_writes() as written:
                return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError as exc:
            if request.method != "POST":
                raise
            logger.exception("media storage failed while saving a %s", self.model._meta.label)
            discard_files(written)
            request.media_storage_failed = DISK_FULL_ERROR if is_disk_full(exc) else STORAGE_ERROR
            # The transaction has been rolled back; validate again to show the form with data.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "media_storage_failed", None)

        def clean(self):
            super(checked, self).clean()
            if refusal is not None:
                raise ValidationError(refusal, code="storage_failed")
            return self.cleaned_data

        checked = type(form.__name__, (form,), {"clean": clean})
        return checked

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            keep_stored_image_sizes(obj)
        return obj


def keep_stored_image_sizes(obj):
    """Give obj's images the width and height stored with them, so Django does not open the
    files to measure them again: it does on every assignment (the form's and full_clean()'s),
    which failed every save of the article's text when the file was missing from storage."""
    for field in obj._meta.fields:
        if not (isinstance(field, models.ImageField) and field.width_field and field.height_field):
            continue
        image = getattr(obj, field.attname)
        size = (getattr(obj, field.width_field), getattr(obj, field.height_field))
        if image and None not in size:
            image._dimensions_cache = size  # what ImageFile.width/height read first
