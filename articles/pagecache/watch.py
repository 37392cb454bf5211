"""Which saves readers see, and how narrowly: the signal receivers that move the generation
(generation.py) for the models articles/apps.py names, after comparing each row as the
database holds it before and after the write. This package imports no models."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from articles.pagecache.generation import content_changed, lists_changed, pages_changed
from articles.pagecache.narrowed import text_change


def watch_models(
    *models, m2m=False, unseen=None, listed=None, lists_only=None, terms=None, text_words=None
):
    """Start a new generation whenever a row of these models is saved or deleted (or, with
    m2m, whenever these many-to-many through tables change).

    unseen(instance, *, stored_in=None) tells the saves readers cannot see apart: None when
    readers see the row (or the article it belongs to), else a tuple of what pages keep of it
    meanwhile: () for a draft, a scheduled article's publish time and section (the next event,
    the section menu). stored_in=<database alias> asks about the row as that database has it
    before the write; a row not written yet is (). A save or delete whose value is the same
    before and after, and not None, changes nothing readers see and starts no generation.
    With m2m only the forward side is judged (instance is the row unseen() knows); a change
    made from the other side always counts, and an add or remove of no rows at all is nothing.

    listed(instance, *, stored_in=None) narrows the saves of rows readers see (unseen() None
    before and after): what lists, cards and every other page show of the row, and a callable
    giving the paths of its own pages. When the first part is the same before and after, the
    save changed only those pages: pages_changed(paths()) instead of a new generation.

    text_words(instance, *, stored_in) goes with listed(): (what else ranks the row in search,
    the words search finds it by, or None), as `stored_in` holds them before and after such a
    save; pages_changed() then records which words the row gained or lost (narrowed.py).

    lists_only(instance, *, stored_in=None) narrows every other change to a row readers see
    after it: the paths of the only pages besides the lists that show the row (its article's
    own page, the previous article's), or None when it shows elsewhere too. When it names paths
    after the change, and before it too for a row readers saw before, lists_changed(paths of
    both) instead of a new generation.

    terms(instance, *, stored_in=None) narrows those lists_changed() further: the term keys
    ("tag:12", pagecache/terms.py) of the tags, topics and authors whose lists show the row, or
    None when that cannot be told. The terms before and after are passed on together; an m2m
    change is judged on its pre_ and post_ signals, so each names the rows there at the time
    (a clear, whose rows are not named, counts for every term).
    """
    for model in models:
        label = model._meta.label_lower
        if unseen is None:
            receivers = {"save": content_changed, "delete": content_changed, "m2m": content_changed}
        else:
            receivers = _unseen_receivers(unseen, listed, lists_only, terms, text_words)
        if m2m:
            _connect(m2m_changed, receivers["m2m"], model, f"m2m-{label}")
            continue
        _connect(post_save, receivers["save"], model, f"page-{label}")
        _connect(post_delete, receivers["delete"], model, f"gone-{label}")
        if unseen is not None:
            _connect(pre_save, receivers["before"], model, f"was-{label}")
            _connect(pre_delete, receivers["before"], model, f"going-{label}")


def _connect(signal, receiver, model, uid):
    # Strongly: the receivers made by _unseen_receivers() live nowhere else.
    signal.connect(receiver, sender=model, dispatch_uid=uid, weak=False)


def _unseen_receivers(unseen, listed=None, lists_only=None, terms=None, text_words=None):
    # What the row was before the write travels on the instance, from pre_* to post_*. A raw
    # save (loaddata) always counts: the row as stored may be anything.
    def before(sender, instance, using, raw=False, **kwargs):
        instance._listed_before = instance._lists_only_before = instance._terms_before = None
        instance._words_before = None
        if raw:
            instance._unseen_before = None
        elif instance.pk is None:
            instance._unseen_before = ()
        else:
            instance._unseen_before = unseen(instance, stored_in=using)
            if instance._unseen_before is None and listed is not None:
                instance._listed_before = listed(instance, stored_in=using)
            if instance._unseen_before is None and text_words is not None:
                instance._words_before = text_words(instance, stored_in=using)
            if instance._unseen_before is None and lists_only is not None:
                instance._lists_only_before = lists_only(instance, stored_in=using)
                if instance._lists_only_before is not None and terms is not None:
                    instance._terms_before = terms(instance, stored_in=using)

    def narrowed(instance, was, paths_before, *, stored_in, terms_before=(), words_before=()):
        """lists_changed() for a change lists_only() narrows; False when it does not. A row
        readers did not see before (was == ()) was on no term's list and in no search."""
        if lists_only is None or (was is None and paths_before is None):
            return False
        paths = lists_only(instance, stored_in=stored_in)
        if paths is None:
            return False
        changed = None
        if terms is not None and terms_before is not None:
            now = terms(instance, stored_in=stored_in)
            changed = None if now is None else {*now, *terms_before}
        change = None if text_words is None else searched(instance, words_before, stored_in)
        lists_changed({*paths, *(paths_before or ())}, changed, change)
        return True

    def searched(instance, before, using):
        """text_change() of the row and every search word it had before or has now."""
        now = text_words(instance, stored_in=using)
        known = (
            before is not None and now[2] is not None and (before == () or before[2] is not None)
        )
        return text_change([now[0]], {*now[2], *(before[2] if before else ())} if known else None)

    def saved(sender, instance, using, update_fields=None, raw=False, **kwargs):
        was = instance.__dict__.pop("_unseen_before", None)
        listed_before = instance.__dict__.pop("_listed_before", None)
        lists_only_before = instance.__dict__.pop("_lists_only_before", None)
        terms_before = instance.__dict__.pop("_terms_before", None)
        words_before = instance.__dict__.pop("_words_before", None)
        # After a partial save the instance may hold values the database does not.
        stored_in = using if update_fields else None
        now = unseen(instance, stored_in=stored_in)
        if was is None and now is None and listed_before is not None:
            shown, paths = listed(instance, stored_in=stored_in)
            if shown == listed_before[0]:
                pages_changed(paths(), change=text_changed(instance, words_before, using))
                return
        if was is not None and was == now:
            return  # unseen before and after, the same way
        terms_before = () if was == () else terms_before
        words_before = () if was == () else words_before
        if (
            now is None
            and not raw
            and narrowed(
                instance,
                was,
                lists_only_before,
                stored_in=using,
                terms_before=terms_before,
                words_before=words_before,
            )
        ):
            return
        content_changed()

    def text_changed(instance, before, using):
        if text_words is None:
            return None
        after = text_words(instance, stored_in=using)
        known = before is not None and before[1] == after[1]
        words = before[2] ^ after[2] if known and None not in (before[2], after[2]) else None
        return text_change([after[0]], words)

    def deleted(sender, instance, using, **kwargs):
        instance.__dict__.pop("_listed_before", None)
        words_before = instance.__dict__.pop("_words_before", None)
        lists_only_before = instance.__dict__.pop("_lists_only_before", None)
        terms_before = instance.__dict__.pop("_terms_before", None)
        if instance.__dict__.pop("_unseen_before", None) == ():
            return
        if lists_only_before is not None:
            change = None
            if words_before is not None:
                change = text_change([words_before[0]], words_before[2])
            lists_changed(lists_only_before, terms_before, change)
        else:
            content_changed()

    def m2m(sender, instance, reverse, using, action, pk_set=None, **kwargs):
        if action.endswith(("_add", "_remove")) and not pk_set:
            return  # nothing added or removed (a form saving the same tags again)
        if reverse or unseen(instance, stored_in=using) is None:
            # A clear does not name the rows it takes away: every term.
            narrow = not reverse and narrowed(
                instance, (), None, stored_in=using, terms_before=() if pk_set else None
            )
            if not narrow:
                content_changed()

    return {"before": before, "save": saved, "delete": deleted, "m2m": m2m}
