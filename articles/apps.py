from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from . import caching, models

        reader_visible = [
            models.Article,
            models.ArticleAuthor,
            models.Author,
            models.Placement,
            models.Section,
            models.Slot,
            models.Tag,
            models.TaggedArticle,
            models.Topic,
        ]
        for model in reader_visible:
            post_save.connect(caching.content_changed, sender=model, dispatch_uid=f"page-{model}")
            post_delete.connect(caching.content_changed, sender=model, dispatch_uid=f"gone-{model}")
        m2m_changed.connect(
            caching.content_changed, sender=models.Article.topics.through, dispatch_uid="topics"
        )
