"""The CKEditor 5 image upload endpoint (replaces django-ckeditor-5's own, which stores the
uploader's file as sent)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles.media.images import clean_image


@require_POST
@staff_member_required
def editor_upload(request):
    uploaded = request.FILES.get("upload")
    if uploaded is None:
        return JsonResponse({"error": {"message": _("没有收到文件。")}}, status=400)
    try:
        cleaned = clean_image(uploaded)
    except ValidationError as exc:
        return JsonResponse({"error": {"message": " ".join(exc.messages)}}, status=400)
    try:
        name = default_storage.save(f"uploads/{timezone.now():%Y/%m}/{cleaned.name}", cleaned)
    except OSError:
        return JsonResponse(
            {"error": {"message": _("图片无法保存到存储，请稍后重试或联系管理员。")}}, status=503
        )
    return JsonResponse({"url": default_storage.url(name)})
