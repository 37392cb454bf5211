"""Make missing image renditions for every article: after a deploy that changed the sizes or the
quality (the rendition names change with them), or after restoring media without renditions/."""

from django.core.management.base import BaseCommand

from articles.media.renditions import add_body_renditions, make_article_renditions
from articles.models import Article


class Command(BaseCommand):
    help = "为所有文章生成缺失的图片尺寸版本（题图和正文图片）。已存在的文件不会重做。"

    def handle(self, *args, **options):
        count = 0
        for article in Article.objects.only(
            "pk", "body", "featured_image", "featured_image_width", "featured_image_height"
        ).iterator():
            make_article_renditions(article)
            body = add_body_renditions(article.body)
            if body != article.body:
                # update(), not save(): no new edit_version or updated_at for a derived change.
                Article.objects.filter(pk=article.pk).update(body=body)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"checked {count} articles"))
