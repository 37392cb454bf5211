"""The index pages: every tag, section and author, the topics by vocabulary, one vocabulary's
topics. Each lists only terms with a visible article, with how many, in a fixed number of
statements (a page of terms and the paginator's count; the topics overview two in all)."""

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView

from articles.models import Article, Author, Section, Tag, Topic, Vocabulary

INDEX_PAGE_SIZE = settings.NEWSROOM.get("INDEX_PAGE_SIZE", 100)
# On /topics/, each vocabulary shows this many topics and links to its own page for the rest.
TOPICS_PER_VOCABULARY = 30
MAX_VOCABULARIES = 50


def with_visible_counts(queryset, article_field):
    """Rows with at least one visible article, each with `article_count`."""
    visible = Article.objects.published().filter(**{article_field: OuterRef("pk")})
    counts = visible.order_by().values(article_field).annotate(n=Count("pk")).values("n")
    return queryset.filter(Exists(visible)).annotate(article_count=Subquery(counts[:1]))


class TermIndexView(ListView):
    """/tags/, /sections/, /authors/: one taxonomy's terms, by name, paginated."""

    template_name = "articles/term_index.html"
    context_object_name = "terms"
    paginate_by = INDEX_PAGE_SIZE
    model = None
    article_field = ""
    heading = ""

    def get_queryset(self):
        rows = self.model.objects.only("pk", "name", "slug")
        if self.model is not Tag:
            rows = self.model.objects.only("pk", "name", "slug", "translations")
        return with_visible_counts(rows, self.article_field).order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.heading
        return context


class TopicIndexView(TemplateView):
    """/topics/: each vocabulary with its first topics, then topics in no vocabulary."""

    template_name = "articles/term_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vocabularies = list(Vocabulary.objects.all()[:MAX_VOCABULARIES])
        order = Window(RowNumber(), partition_by="vocabulary_id", order_by=["name", "pk"])
        total = Window(Count("pk"), partition_by="vocabulary_id")
        shown = {v.pk for v in vocabularies}
        topics = (
            with_visible_counts(
                Topic.objects.only("pk", "name", "slug", "translations", "vocabulary"), "topics"
            )
            .filter(Q(vocabulary__in=shown) | Q(vocabulary__isnull=True))
            .annotate(row=order, in_vocabulary=total)
            .filter(row__lte=TOPICS_PER_VOCABULARY)
            .order_by("vocabulary_id", "name", "pk")
        )
        groups = {v.pk: [] for v in vocabularies}
        groups[None] = []
        more = {}
        for topic in topics:
            groups[topic.vocabulary_id].append(topic)
            more[topic.vocabulary_id] = topic.in_vocabulary > TOPICS_PER_VOCABULARY
        context["heading"] = _("专题")
        context["vocabularies"] = [
            (v, groups[v.pk], more.get(v.pk, False)) for v in vocabularies if groups[v.pk]
        ]
        context["loose_topics"] = groups[None]
        context["loose_more"] = more.get(None, False)
        return context


class VocabularyDetailView(ListView):
    """/vocabularies/<key>/: one vocabulary's topics, paginated. Not under /topics/, where
    every one-part path is a topic's page (and /topics/<slug>/feed/ its feed)."""

    template_name = "articles/term_index.html"
    context_object_name = "terms"
    paginate_by = INDEX_PAGE_SIZE

    def get_queryset(self):
        self.vocabulary = get_object_or_404(Vocabulary, key=self.kwargs["key"])
        topics = Topic.objects.only("pk", "name", "slug", "translations")
        rows = with_visible_counts(topics.filter(vocabulary=self.vocabulary), "topics")
        return rows.order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.vocabulary.display_name
        context["vocabulary"] = self.vocabulary
        return context


TAG_INDEX = TermIndexView.as_view(model=Tag, article_field="tags", heading=_("全部标签"))
SECTION_INDEX = TermIndexView.as_view(model=Section, article_field="section", heading=_("全部栏目"))
AUTHOR_INDEX = TermIndexView.as_view(model=Author, article_field="authors", heading=_("全部作者"))
