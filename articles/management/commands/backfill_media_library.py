"""Register in the media library the images articles used before it existed: every featured
image and every body image under MEDIA_URL (articles/models/media.py). Run once after the
migration that made the library (0022_media_library); running it again registers nothing twice.
A file missing from storage, or one whose bytes the library already holds under another name,
is skipped."""

from django.core.management.base import BaseCommand

from articles.models import Article, MediaImage
from articles.models.media import register_article_images


class Command(BaseCommand):
    help = "把已有文章的题图和正文图片登记到媒体库（可重复运行，不会重复登记）。"

    def handle(self, *args, **options):
        articles = made = 0
        for article in Article.objects.only(
            "pk", "body", "featured_image", "featured_image_alt", "featured_image_caption"
        ).iterator():
            made += register_article_images(article)
            articles += 1
        total = MediaImage.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"checked {articles} articles, registered {made} images ({total} in the library)"
            )
        )
