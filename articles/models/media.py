"""The media library: every uploaded or imported image, once per content, with its alt text and
caption, who uploaded it, and where it is used.

Files come in through articles.media.library.store_image() (the editor's uploads, the Hugo
import), which AppConfig.ready() connects to MediaImage, and through the article
admin's featured image (register_stored()). `manage.py backfill_media_library` registers the
files articles used before the library existed (register_article_images()).

Where an image is used is read from the articles themselves (featured image name, or its URL
in a body), never kept in a second table that could go stale.
"""

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.media import library
from articles.media.renditions import ROOT as RENDITIONS
from articles.models.article import Article

_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def media_url_of(name):
    return settings.MEDIA_URL + name


def use_condition(name_ref, url_ref):
    """Q for the articles using an image: its file as their featured image, or its URL in their
    body (sanitised bodies keep the src as written: MEDIA_URL + name)."""
    return Q(featured_image=name_ref) | Q(body__contains=url_ref)


class MediaImageQuerySet(models.QuerySet):
    def with_use(self):
        """Annotate in_use (one EXISTS per row: a LIKE over article bodies, so only for the
        in-use filter, never for every changelist row)."""
        used = Article.objects.filter(
            use_condition(OuterRef("file"), Concat(Value(settings.MEDIA_URL), OuterRef("file")))
        )
        return self.annotate(in_use=Exists(used))

    def find(self, sha256):
        return self.filter(sha256=sha256).values_list("file", flat=True).first()

    def register(
        self, name, *, sha256, width=None, height=None, size=0, uploaded_by=None, original_name=""
    ):
        """The row for these bytes, made with name if there is none. -> the name it keeps."""
        defaults = {
            "file": name,
            "width": width,
            "height": height,
            "size": size or 0,
            "uploaded_by": uploaded_by if getattr(uploaded_by, "pk", None) else None,
            "original_name": original_name,
        }
        try:
            with transaction.atomic():
                image, made = self.get_or_create(sha256=sha256, defaults=defaults)
        except IntegrityError:  # the same file name or content registered meanwhile
            image = self.filter(Q(sha256=sha256) | Q(file=name)).first()
            return image.file.name if image else name
        if not made and not default_storage.exists(image.file.name):
            image.file.name = name  # the registered file went missing: this one replaces it
            image.save(update_fields=["file"])
        return image.file.name


class MediaImage(models.Model):
    file = models.ImageField(_("文件"), upload_to="uploads/%Y/%m/", max_length=255, unique=True)
    sha256 = models.CharField(_("内容摘要"), max_length=64, unique=True, editable=False)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("字节数"), default=0, editable=False)
    alt = models.CharField(
        _("替代文字"),
        max_length=200,
        blank=True,
        help_text=_("为看不到图片的读者描述图片内容；插入正文或选作题图时随图带上。"),
    )
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(
        _("上传时间"), default=timezone.now, editable=False, db_index=True
    )

    objects = MediaImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("媒体库图片")
        verbose_name_plural = _("媒体库")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.original_name or self.file.name.rsplit("/", 1)[-1]

    @property
    def url(self):
        """What the editor's upload answered, and what the picker inserts."""
        return default_storage.url(self.file.name)

    def used_by(self):
        """The articles using this image (one query)."""
        used = use_condition(self.file.name, media_url_of(self.file.name))
        if self.url != media_url_of(self.file.name):  # e.g. object storage's own domain
            used |= Q(body__contains=self.url)
        return Article.objects.filter(used).order_by("-pk")


def register_stored(name, *, uploaded_by=None, original_name="", alt="", caption=""):
    """Register a file already in storage (a featured image the admin saved, or one found by
    the backfill). -> the MediaImage, or None when the file is missing or not an image. A file
    whose bytes the library holds under another name is not registered twice."""
    known = MediaImage.objects.filter(file=name).first()
    if known is not None:
        return known
    try:
        with default_storage.open(name, "rb") as handle:
            digest = library.sha256_of(handle)
            width, height = library.image_size(handle)
            size = handle.size
    except OSError:
        return None
    if width is None:
        return None
    kept = MediaImage.objects.register(
        name,
        sha256=digest,
        width=width,
        height=height,
        size=size,
        uploaded_by=uploaded_by,
        original_name=library.clean_original_name(original_name),
    )
    image = MediaImage.objects.filter(file=kept).first()
    if image is not None and kept == name and (alt or caption) and not (image.alt or image.caption):
        image.alt, image.caption = alt[:200], caption[:300]
        image.save(update_fields=["alt", "caption"])
    return image


def body_image_names(body):
    """Storage names of the images a body shows from MEDIA_URL (renditions left out)."""
    names = []
    for src in _IMG_SRC.findall(body or ""):
        path = unquote(urlsplit(src).path)
        if path.startswith(settings.MEDIA_URL):
            name = path[len(settings.MEDIA_URL) :]
            if name and not name.startswith(f"{RENDITIONS}/") and name not in names:
                names.append(name)
    return names


def register_article_images(article):
    """Register an article's featured image and body images. -> how many rows were made."""
    featured = article.featured_image.name if article.featured_image else ""
    names = ([featured] if featured else []) + body_image_names(article.body)
    known = set(MediaImage.objects.filter(file__in=names).values_list("file", flat=True))
    made = 0
    for name in dict.fromkeys(names):
        if name in known:
            continue
        extra = {}
        if name == featured:
            extra = {"alt": article.featured_image_alt, "caption": article.featured_image_caption}
        image = register_stored(name, **extra)
        made += image is not None and image.file.name == name
    return made
