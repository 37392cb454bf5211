"""The CKEditor 5 image upload endpoint (replaces django-ckeditor-5's own, which stores the
uploader's file as sent)."""

import logging
from functools import wraps

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.media.images import clean_image
from articles.media.library import store_image
from articles.media.storage import is_disk_full

logger = logging.getLogger(__name__)


def staff_only(view):
    """Signed-in staff only; everyone else gets a 403 in the JSON CKEditor 5 reads. Never a
    redirect to the login page: that would tell an anonymous visitor where ADMIN_URL hid the
    admin."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            return JsonResponse(
                {"error": {"message": _("只有登录的编辑可以上传图片。")}}, status=403
            )
        return view(request, *args, **kwargs)

    return checked


@require_POST
@staff_only
def editor_upload(request):
    try:
        uploaded = request.FILES.get("upload")
        if uploaded is None:
            return JsonResponse({"error": {"message": _("没有收到文件。")}}, status=400)
        try:
            cleaned = clean_image(uploaded)
        except ValidationError as exc:
            return JsonResponse({"error": {"message": " ".join(exc.messages)}}, status=400)
        # Same bytes as an image in the media library: that file's URL, nothing written.
        name = store_image(
            cleaned,
            name=f"uploads/{timezone.now():%Y/%m}/{cleaned.name}",
            uploaded_by=request.user,
            original_name=uploaded.name,
        )
    except OSError as exc:
        logger.error("editor image upload not stored: %s", exc)
        if is_disk_full(exc):  # 507 Insufficient Storage
            message = _("服务器存储空间已满，图片没有保存。请联系管理员清理空间后再试。")
            return JsonResponse({"error": {"message": message}}, status=507)
        message = _("图片无法保存到存储，请稍后重试或联系管理员。")
        return JsonResponse({"error": {"message": message}}, status=503)
    return JsonResponse({"url": default_storage.url(name)})
