"""import_site(): bring a Hugo site's pages in as articles, one transaction per file."""

import hashlib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from articles.hugo.body import after_import, resolve_images
from articles.hugo.commits import sqlite_commits_without_fsync
from articles.hugo.digest import HUGO_SLOTS, import_digest, state_digest
from articles.hugo.files import Refused
from articles.hugo.issues import checked_issues, issues_written_by_importer
from articles.hugo.limits import MAX_FILE_BYTES, LimitError, check_body
from articles.hugo.lookups import TermCache, TopicCache
from articles.hugo.mapping import bounded_extra, data_page_reason
from articles.hugo.media import ImageProblem, ImageStore
from articles.hugo.pipeline import Task, prepared_in_order
from articles.hugo.portal import PortalWriter
from articles.hugo.redirects import RedirectWriter
from articles.hugo.report import ImportReport
from articles.hugo.rows import SearchTerms, article_url, insert_links
from articles.hugo.selection import select_pages
from articles.hugo.site import DEFAULT_ENVIRONMENT, SiteError, open_site
from articles.hugo.translations import DATA_PAGE, Link, Translations
from articles.media.renditions import make_article_renditions
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    ContentIssue,
    Placement,
    Section,
    Slot,
    Tag,
    TaggedArticle,
    derive_text,
)
from articles.models.search_terms import refresh_search_terms
from articles.text.sanitize import sanitize_html
from articles.text.slugs import MAX_SLUG_LENGTH

__all__ = ["ImportReport", "SiteError", "import_site", "state_digest"]


class _DryRun(Exception):
    pass


def import_site(
    *,
    site_dir,
    dry_run=False,
    sections=None,
    tz="Asia/Shanghai",
    overwrite=False,
    progress=None,
    jobs=1,
    max_file_bytes=MAX_FILE_BYTES,
    environment=DEFAULT_ENVIRONMENT,
    download_remote_images=False,
):
    """Import every page of the Hugo site at site_dir: the default language's, then their
    translations in the newsroom's other languages (translations.py).

    Raises SiteError when site_dir is not a readable site and ValueError for an unknown tz.
    progress(done, total, path) is called after each file. jobs > 1: that many worker
    processes render pages ahead; this process alone writes, file by file, in order.
    A content file over max_file_bytes, or whose real path leaves site_dir, is not read:
    it is listed under failed with the reason (limits.py has every other bound).
    environment: which config/<environment>/ folder is merged over config/_default/.
    """
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {tz!r}") from exc
    site = open_site(site_dir, environment=environment)
    report = ImportReport()
    for config_file, message in site.config_warnings():
        report.warn(config_file, message)
    pages, term_info = select_pages(site, report, sections=sections, max_file_bytes=max_file_bytes)
    run = _Run(
        site=site,
        report=report,
        tz=tz,
        dry_run=dry_run,
        overwrite=overwrite,
        term_info=term_info,
        max_file_bytes=max_file_bytes,
    )
    staged = ((file, run.stage(file)) for file in pages)
    markup = site.setting("markup")
    markup = markup if isinstance(markup, dict) else None  # None: Hugo's defaults
    in_order = prepared_in_order(
        staged, jobs=jobs, taxonomies=site.taxonomies, tz=tz, markup=markup
    )
    with sqlite_commits_without_fsync(), after_import(run, remote=download_remote_images):
        for done, (file, staged_file, prepared) in enumerate(in_order, start=1):
            run.import_file(file, staged_file, prepared)
            if progress:
                progress(done, len(pages), file.rel)
    run.portal.finish(menus=not sections)
    unkept = run.translations.unkept(max_file_bytes=max_file_bytes)
    run.redirects.finish(report=report, dry_run=dry_run, topics=run.topics, unkept=unkept)
    return report


class _Run:
    def __init__(self, *, site, report, tz, dry_run, overwrite, term_info, max_file_bytes):
        self.site, self.report, self.tz = site, report, tz
        self.dry_run, self.overwrite = dry_run, overwrite
        self.max_file_bytes = max_file_bytes
        self.images = ImageStore(site=site, dry_run=dry_run)
        self.authors = TermCache(Author, match_slugs=False)
        self.tags = TermCache(Tag, match_slugs=False)
        self.sections = TermCache(Section, info=term_info, kind="categories")
        self.topics = TopicCache(site=site, info=term_info, report=report, dry_run=dry_run)
        self.redirects = RedirectWriter(site=site)
        self.terms = SearchTerms()
        self.slots = {slot.key: slot for slot in Slot.objects.filter(key__in=HUGO_SLOTS)}
        self.known = {
            path: (pk, digest)
            for pk, path, digest in Article.objects.exclude(source_path="").values_list(
                "pk", "source_path", "source_digest"
            )
        }
        self.slugs = set(Article.objects.values_list("slug", flat=True))
        self._caches = [self.authors, self.tags, self.sections, self.topics, self.redirects]
        self.portal = PortalWriter(run=self)  # fields, channels, ads, menus
        self.translations = Translations(site=site, report=report, dry_run=dry_run)
        self._caches.append(self.portal)

    def stage(self, file):
        """Read the file; -> a Task to prepare, or "unchanged", or a failure for the report."""
        try:
            raw = file.read(max_bytes=self.max_file_bytes)
        except Refused as exc:
            return {"file": file.rel, "error": str(exc)}
        file_digest = self._file_digest(file, raw)
        pk, stored = self.known.get(file.rel, (None, ""))
        if pk and stored[:32] == file_digest and not self.overwrite:
            return "unchanged"
        is_markdown = file.path.suffix not in {".html", ".htm"}
        return Task(rel=file.rel, raw=raw, is_markdown=is_markdown, file_digest=file_digest)

    def import_file(self, file, task, prepared):
        if not self.translations.is_translation(file):
            outcome = self._import(file, task, prepared, link=None)
            self._add_default(file, task, prepared, outcome)
            return
        link = self._link(file, task, prepared)
        if link is not None and self._import(file, task, prepared, link=link) is None:
            self.translations.forget(file, link)

    def _add_default(self, file, task, prepared, outcome):
        """What a translation of this default-language page will need: its group and URL."""
        if task == "unchanged":
            group, extra, url = self.translations.stored(self.known[file.rel][0])
        elif isinstance(outcome, Article):
            group, extra, url = outcome.translation_group, outcome.extra, outcome.url
        else:
            ok = isinstance(task, Task) and not prepared.error
            group, extra, url = outcome, prepared.fields.extra if ok else {}, ""
        self.translations.add_default(file, extra=extra, group=group, url=url)

    def _link(self, file, task, prepared):
        """The translation's group (translations.Link); None when it is skipped, reported."""
        pk = self.known.get(file.rel, (None, ""))[0]
        group, extra, _url = self.translations.stored(pk) if pk else (None, {}, "")
        if task != "unchanged":
            if not isinstance(task, Task) or prepared.error:
                return Link()  # fails as any page does
            extra = prepared.fields.extra
        unchanged = task == "unchanged"
        return self.translations.link(file, extra=extra, pk=pk, group=group, unchanged=unchanged)

    def _import(self, file, task, prepared, *, link):
        """-> the article written, DATA_PAGE, or None (unchanged, skipped or failed)."""
        rel = file.rel
        if task == "unchanged":
            self.report.unchanged.append(rel)
            return
        if not isinstance(task, Task):
            self.report.failed.append(task)
            return
        file_digest = task.file_digest
        pk, stored = self.known.get(rel, (None, ""))
        article = Article.objects.get(pk=pk) if pk else None
        if article and not self.overwrite and state_digest(article) != stored[32:]:
            self.report.skip(
                rel,
                "changed in the admin since the last import; left alone "
                "(use --overwrite to replace the editor's changes)",
            )
            article.url = article_url(article)
            return article  # kept as the editor left it: its translations still join it
        warnings = []
        redirects = 0
        if prepared.error:
            self.report.failed.append({"file": rel, "error": prepared.error})
            return
        # A channel or an ad page, not an article (their translations are skipped).
        if link is None and self.portal.take(file, task, prepared):
            return DATA_PAGE
        try:
            with transaction.atomic():
                article = self._write(file, prepared, article, file_digest, warnings, link=link)
                redirects = self.redirects.take_count()
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            self._rollback(keep_redirects=True)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            self._rollback()
            error = str(exc) if isinstance(exc, LimitError) else f"{type(exc).__name__}: {exc}"
            self.report.failed.append({"file": rel, "error": error})
            return
        else:
            for cache in self._caches:
                cache.commit()
            self.known[rel] = (article.pk, article.source_digest)
        self.report.redirects += redirects
        for message in warnings:
            self.report.warn(rel, message)
        (self.report.updated if pk else self.report.created).append(rel)
        article.url = article_url(article)
        return article

    def _free_slug(self, base, *, own, max_length):
        """unique_slug() without a query per article: the run keeps every slug in a set."""
        candidate, n = base, 2
        while candidate != own and candidate in self.slugs:
            suffix = f"-{n}"
            candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
            n += 1
        self.slugs.add(candidate)
        return candidate

    def _rollback(self, *, keep_redirects=False):
        """keep_redirects (a dry run): remember this file's redirects as if written, so a dry
        run counts what the real run writes."""
        for cache in self._caches:
            if keep_redirects and cache is self.redirects:
                cache.commit()
            else:
                cache.rollback()

    def _file_digest(self, file, raw):
        digest = hashlib.sha256(raw)
        digest.update(self.tz.encode())
        if file.is_bundle:
            for sibling in sorted(file.path.parent.iterdir()):
                if sibling.is_file() and sibling != file.path:
                    size = sibling.stat(follow_symlinks=False).st_size
                    digest.update(f"{sibling.name}:{size};".encode())
        return digest.hexdigest()[:32]

    def _write(self, file, prepared, article, file_digest, warnings, *, link):
        fields = prepared.fields
        is_new = article is None
        article = article or Article(source_path=file.rel)
        if link:
            article.language, article.translation_group = link.language, link.group
        issues = []
        warnings.extend(fields.warnings)
        if fields.lastmod_before_date:
            issues.append((ContentIssue.Kind.LASTMOD_BEFORE_DATE, fields.lastmod_before_date, ""))
        article.title = fields.title
        article.description = fields.description
        data_reason = data_page_reason(
            fields.extra,
            section=file.section,
            html=prepared.body,
            summary=bool(fields.description or fields.featured_image),
        )
        if data_reason and not fields.draft:
            warnings.append(f"imported as a draft, not published: {data_reason} (a data page)")
        draft = fields.draft or bool(data_reason)
        article.status = Article.Status.DRAFT if draft else Article.Status.PUBLISHED
        article.published_at = fields.published_at
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        article.updated_at = fields.updated_at or fields.published_at or timezone.now()
        article.weight = fields.weight
        article.lightbox, article.toc = fields.lightbox, fields.toc
        article.extra = fields.extra
        if fields.slug:
            article.slug = self._free_slug(prepared.slug_base, own=article.slug, max_length=100)
        elif not article.slug:
            article.slug = self._free_slug(prepared.slug_base, own="", max_length=MAX_SLUG_LENGTH)
        article.section = self.sections.get(fields.section) if fields.section else None
        self.portal.fill_fields(article, issues=issues, warnings=warnings)
        self._featured_image(article, fields, file, issues, warnings)
        html, problems = resolve_images(
            prepared.body, unknown=prepared.unknown_shortcodes, file=file, images=self.images
        )
        for kind, message, detail in problems:
            issues.append((kind, message, detail))
            warnings.append(message)
        derived = prepared.derived
        if html == prepared.body and derived is not None:
            article.body = prepared.clean_body
        else:
            article.body = sanitize_html(html)
            check_body(article.body)  # images stored: the body changed since the worker's check
            derived = derive_text(
                title=article.title, description=article.description, body=article.body
            )
        # Two spellings can name one row (Bob/bob): keep each row once, in order.
        authors = _unique(self.authors.get(name) for name in fields.authors)
        tags = _unique(self.tags.get(name) for name in fields.tags)
        topics = _unique(self.topics.get_in(plural, term) for plural, term in fields.topics)
        slots = [key for key in fields.slots if key in self.slots]
        article.imported_at = timezone.now()
        # Of the body as save() will store it (sanitised, renditions), so it matches the row.
        state = import_digest(
            article,
            [a.pk for a in authors],
            [t.name for t in tags],
            [t.pk for t in topics],
            slots,
            body=derived.body,
        )
        article.source_digest = file_digest + state
        terms = self.terms.of(article.section, topics, tags, authors) if is_new else None
        with issues_written_by_importer():
            article.save_imported(derived=derived, search_terms=terms)
        make_article_renditions(article)
        self._relations(
            article, is_new=is_new, authors=authors, tags=tags, topics=topics, slots=slots
        )
        in_body = prepared.problems if derived is prepared.derived else None
        issues += checked_issues(article, known=issues, in_body=in_body)
        if not is_new:
            ContentIssue.objects.filter(article=article).delete()
        ContentIssue.objects.bulk_create(
            ContentIssue(article=article, kind=kind, message=message, detail=detail[:500])
            for kind, message, detail in issues
        )
        self.redirects.for_article(
            article,
            link=link,
            file=file,
            fields=fields,
            sections=self.sections,
            topics=self.topics,
            tags=self.tags,
            warnings=warnings,
            authors=self.authors,
        )
        return article

    def _featured_image(self, article, fields, file, issues, warnings):
        ref = fields.featured_image
        if not ref:
            article.featured_image = ""
            return
        found = self.images.resolve(ref, page_dir=file.path.parent)
        if isinstance(found, tuple) and found[0] == "local":
            found = self.images.store(found[1], ref=ref)
        if isinstance(found, ImageProblem):
            message = f"featuredImage: {found.message}"
            issues.append((found.kind, message, f"featuredImage: {ref}"))
            warnings.append(message)
            article.featured_image = ""
            return
        if isinstance(found, tuple):  # remote: nothing is downloaded
            message = f"featuredImage: remote image {ref!r} not downloaded; kept in extra"
            article.extra = bounded_extra({**article.extra, "featuredImage": ref}, warnings)
            issues.append((ContentIssue.Kind.REMOTE_IMAGE, message, f"featuredImage: {ref}"))
            warnings.append(message)
            article.featured_image = ""
            return
        if not self.dry_run:
            article.featured_image = found
            article.featured_image_alt = article.featured_image_alt or article.title[:200]

    def _relations(self, article, *, is_new, authors, tags, topics, slots):
        if not is_new:
            ArticleAuthor.objects.filter(article=article).delete()
            TaggedArticle.objects.filter(content_object=article).delete()
            Article.topics.through.objects.filter(article=article).delete()
        insert_links(article, authors=authors, tags=tags, topics=topics)
        if not is_new:  # a new article's search terms were saved with it
            refresh_search_terms(article_ids=[article.pk])  # inserts send no signals
        have = set()
        if not is_new:
            current = Placement.objects.filter(article=article, slot__key__in=HUGO_SLOTS)
            current.exclude(slot__key__in=slots).delete()
            have = set(current.values_list("slot__key", flat=True))
        Placement.objects.bulk_create(
            Placement(article=article, slot=self.slots[key]) for key in slots if key not in have
        )


def _unique(rows):
    return list({row.pk: row for row in rows}.values())
