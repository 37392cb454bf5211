from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from django.db.models.signals import post_save

        from articles import models
        from articles.hugo.issues import recheck_after_save
        from articles.pagecache.generation import watch_models
        from articles.pagecache.state import watch_events

        watch_models(
            models.Ad,
            models.AdSpot,
            models.Article,
            models.ArticleAuthor,
            models.Author,
            models.Channel,
            models.MenuItem,
            models.Placement,
            models.Section,
            models.SectionField,
            models.Slot,
            models.Tag,
            models.TaggedArticle,
            models.Topic,
            models.Vocabulary,
        )
        watch_models(models.Article.topics.through, models.Channel.topics.through, m2m=True)
        watch_events(models.next_scheduled_change)
        post_save.connect(recheck_after_save, sender=models.Article, dispatch_uid="content-issues")
