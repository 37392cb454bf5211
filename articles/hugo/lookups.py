"""Run-long caches of authors, tags, sections and topics, so an import does not look each one
up again for every article. Rows created inside a file's transaction are forgotten if that
transaction rolls back."""

from articles.hugo.permalinks import urlize
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

    def _remember(self, term, row, *, new=False):
        entries = [(self.by_key, term.casefold()), (self.by_slug, row.slug)]
        for table, key in entries:
            if key not in table:
                table[key] = row
                if new:
                    self._new.append((table, key))

    def get(self, term):
        key = term.casefold()
        row = self.by_key.get(key)
        if row is None and self.match_slugs:
            # "news" finds the section named 资讯 whose slug is news; not for tags, where
            # "C" and "C++" share a pinyin slug but are different tags.
            row = self.by_slug.get(urlize(term)) or self.by_slug.get(pinyin_slug(term, fallback=""))
        if row is None:
            row = self._create(term)
            self._remember(term, row, new=True)
        if key not in self.by_key:
            self.by_key[key] = row
            self._new.append((self.by_key, key))
        return row

    def _create(self, term):
        if self.model.__name__ == "Tag":
            return self.model.objects.create(name=term)
        info = self.info.get((self.kind, urlize(term).casefold()), {})
        name = info.get("title") or term
        if name.casefold() in self.by_key or self.model._default_manager.filter(name=name).exists():
            name = term
        fields = {"name": name[:100]}
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
