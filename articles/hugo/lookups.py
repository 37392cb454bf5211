"""Run-long caches of authors, tags, sections and topics, so an import does not look each one
up again for every article. Rows created inside a file's transaction are forgotten if that
transaction rolls back."""

from articles.hugo.permalinks import urlize
from articles.hugo.titles import merged_translations
from articles.hugo.vocabularies import Vocabularies
from articles.models import Topic
from articles.text.slugs import pinyin_slug, unique_slug


class TermCache:
    def __init__(self, model, *, info=None, kind="", match_slugs=True):
        self.model = model
        self.match_slugs = match_slugs
        self.info = info or {}
        self.kind = kind
        self.by_key = {}
        self.by_slug = {}
        for row in model._default_manager.all():
            self._remember(row.name, row)
        self.terms = {}  # term -> row, for what this run asked for
        self._new = []
        self._translated = set()  # rows whose translations this run has filled in

    def _remember(self, term, row, *, new=False):
        entries = [(self.by_key, term.casefold()), (self.by_slug, row.slug)]
        for table, key in entries:
            if key not in table:
                table[key] = row
                if new:
                    self._new.append((table, key))

    def get(self, term, *, kind=None):
        kind = kind or self.kind
        key = term.casefold()
        row = self.by_key.get(key)
        if row is None and self.match_slugs:
            # "news" finds the section named 资讯 whose slug is news; not for tags, where
            # "C" and "C++" share a pinyin slug but are different tags.
            row = self.by_slug.get(urlize(term)) or self.by_slug.get(pinyin_slug(term, fallback=""))
        if row is None:
            row = self._create(term, kind=kind)
            self._remember(term, row, new=True)
        elif (kind, row.pk) not in self._translated:
            self._translate(row, self.info.get((kind, urlize(term).casefold()), {}))
            self._translated.add((kind, row.pk))
        if key not in self.by_key:
            self.by_key[key] = row
            self._new.append((self.by_key, key))
        return row

    def _translate(self, row, info):
        """An existing row keeps its name; languages it has no name for yet are added."""
        if not info.get("translations"):
            return
        translations = merged_translations(row.translations, info.get("translations"))
        if translations != row.translations:
            row.translations = translations
            type(row)._default_manager.filter(pk=row.pk).update(translations=translations)

    def _create(self, term, *, kind):
        if self.model.__name__ == "Tag":
            return self.model.objects.create(name=term)
        info = self.info.get((kind, urlize(term).casefold()), {})
        name = info.get("title") or term
        if name.casefold() in self.by_key or self.model._default_manager.filter(name=name).exists():
            name = term
        fields = {"name": name[:100]}
        if "translations" in {f.name for f in self.model._meta.get_fields()}:
            fields["translations"] = merged_translations({}, info.get("translations"))
        if "description" in {f.name for f in self.model._meta.get_fields()}:
            fields["description"] = info.get("description", "")
        wanted = info.get("slug") or term
        fields["slug"] = unique_slug(
            wanted, model=self.model, max_length=100, fallback=self.model.__name__.lower()
        )
        return self.model._default_manager.create(**fields)

    def commit(self):
        self._new = []

    def rollback(self):
        for table, key in self._new:
            table.pop(key, None)
        self._new = []
        self._translated = set()


class TopicCache(TermCache):
    """Topics, each in the vocabulary of the taxonomy that first used its term. A term used by
    two taxonomies ("games" in navigation and games) is one topic: Topic names are unique, and
    Hugo's two term pages both lead to it. The first vocabulary keeps it; the import says so."""

    def __init__(self, *, site, info, report, dry_run=False):
        super().__init__(Topic, info=info, kind="topics")
        self.report = report
        self.dry_run = dry_run
        self.vocabularies = Vocabularies(site=site, info=info)
        self._assigned = []  # (row, vocabulary id before) changed in this file's transaction
        self._shared = set()
        self.used = {}  # (taxonomy, term) -> topic, every term this run used (for redirects)
        self._used_new = []

    def get_in(self, taxonomy, term):
        row = self.get(term, kind=taxonomy)
        if (taxonomy, term) not in self.used:
            self.used[(taxonomy, term)] = row
            self._used_new.append((taxonomy, term))
        vocabulary = self.vocabularies.get(taxonomy)
        if row.vocabulary_id is None:
            self._assigned.append((row, None))
            row.vocabulary = vocabulary
            Topic.objects.filter(pk=row.pk).update(vocabulary=vocabulary)
        elif row.vocabulary_id != vocabulary.pk and (taxonomy, row.pk) not in self._shared:
            self._shared.add((taxonomy, row.pk))
            self.report.warn(
                self.vocabularies.site.config_name,
                f"term {term!r} of taxonomy {taxonomy!r} is the topic {row.name!r} already in "
                f"another vocabulary; reused (its old {taxonomy} term page leads to it)",
            )
        return row

    def commit(self):
        super().commit()
        self.vocabularies.commit()
        self._assigned = []
        self._used_new = []

    def rollback(self):
        super().rollback()
        self.vocabularies.rollback()
        for row, before in self._assigned:
            row.vocabulary_id = before
        self._assigned = []
        if not self.dry_run:  # a dry run counts the redirects its terms would get
            for key in self._used_new:
                self.used.pop(key, None)
        self._used_new = []
