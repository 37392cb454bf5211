"""Rows a page only shows, made as model instances without Model.__init__.

A list page shows twenty articles, each with its section: forty instances, and making them is
half the cost of reading them (about 0.5 of 0.95 ms of CPU at twenty rows). Model.__init__ runs
a loop over every field and the pre_init and post_init signals (imagekit's, and ImageField's
that notes a loaded image's size for a later save), for rows that are only shown. Here the same
columns are read with values_list() (the same converters Model.from_db() applies) and each
instance is made as from_db() makes a row with deferred fields: the loaded values in
__dict__, the state "from `using`, not adding". Fields the queryset defers stay deferred, so
reading one loads it (a query) rather than showing a blank. Never saved: a view that saves an
article reads it the ordinary way.
"""

from django.db.models.base import ModelState


def partial(model, using, **values):
    """An instance as the database gave it, with only these fields loaded."""
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = using
    instance.__dict__.update(values)
    return instance


def _loaded_fields(model, query):
    """The concrete fields a queryset of `model` loads (its only() or defer())."""
    names, deferring = query.deferred_loading
    fields = model._meta.concrete_fields
    if deferring:
        return [field for field in fields if field.name not in names]
    return [field for field in fields if field.name in names or field.primary_key]


def _related(model, related, path=()):
    """[(path, model)] of the select_related() objects, each after the one it hangs on."""
    found = []
    for name, deeper in related.items():
        field = model._meta.get_field(name)
        found.append(((*path, name), field.related_model))
        found += _related(field.related_model, deeper, (*path, name))
    return found


class ShownShape:
    """The columns shown_rows() reads for a queryset's shape, and how it makes their rows."""

    def __init__(self, queryset):
        model, query = queryset.model, queryset.query
        self.model = model
        self.own = [field.attname for field in _loaded_fields(model, query)]
        self.columns, self.parts = list(self.own), []
        for path, related_model in _related(model, query.select_related or {}):
            attnames = [field.attname for field in related_model._meta.concrete_fields]
            self.parts.append((path, related_model, attnames, len(self.columns)))
            self.columns += ["__".join((*path, attname)) for attname in attnames]

    @staticmethod
    def fits(queryset):
        """False for what shown_rows() reads the ordinary way: select_related() of every
        relation, a deferred field of a related object, annotations."""
        query = queryset.query
        names = query.deferred_loading[0]
        return not (
            query.select_related is True
            or any("__" in name for name in names)
            or query.annotations
            or query.extra
        )

    def made(self, rows, using):
        """Instances, with their select_related() objects, from rows of self.columns."""
        made_rows = []
        for row in rows:
            instance = partial(self.model, using, **dict(zip(self.own, row, strict=False)))
            made = {(): instance}
            for path, related_model, attnames, start in self.parts:
                values = dict(zip(attnames, row[start : start + len(attnames)], strict=True))
                holder, obj = made[path[:-1]], None
                if holder is not None:
                    if values[related_model._meta.pk.attname] is not None:
                        obj = partial(related_model, using, **values)
                    holder._state.fields_cache[path[-1]] = obj
                made[path] = obj
            made_rows.append(instance)
        return made_rows


def shown_rows(queryset):
    """list(queryset), with its select_related() objects, made by partial(). A queryset of
    another shape (ShownShape.fits()) is read the ordinary way."""
    if not ShownShape.fits(queryset):
        return list(queryset)
    shape = ShownShape(queryset)
    return shape.made(queryset.values_list(*shape.columns), queryset.db)
