"""The CPU-bound half of an import, without the database: front matter, Markdown, shortcodes,
sanitising and jieba segmentation of a page. import_site() runs it in worker processes ahead
of the one process that writes, so several pages are prepared while one is written."""

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from articles.editorial.checks import body_problems
from articles.hugo import frontmatter
from articles.hugo.body import has_images
from articles.hugo.limits import LimitError, check_body
from articles.hugo.mapping import Fields, MappingError, map_front_matter
from articles.hugo.markdown import render_body
from articles.models import DerivedText, derive_text
from articles.text.sanitize import sanitize_html
from articles.text.segment import jieba
from articles.text.slugs import MAX_SLUG_LENGTH, pinyin_slug

CHUNK = 16  # pages per message to a worker: fewer round trips, still a short wait for the first


@dataclass
class Task:
    rel: str
    raw: bytes
    is_markdown: bool
    file_digest: str


@dataclass
class Prepared:
    fields: Fields | None = None
    body: str = ""  # rendered HTML, images not yet resolved
    unknown_shortcodes: list | None = None
    slug_base: str = ""  # pinyin of the slug, or else of the title, before de-duplication
    clean_body: str = ""  # sanitize_html(body) ...
    derived: DerivedText | None = None  # ... and what save() makes of it; None with images
    problems: list | None = None  # ... and checks.body_problems() of its body
    error: str = ""


def prepare(task, *, taxonomies, tz, markup=None):
    """Everything about one page that needs no database and no other page. Never raises:
    a bad file comes back with .error, as the report words it. markup: the site config's
    `markup` table (a dict), None for Hugo's defaults."""
    try:
        page = frontmatter.split(frontmatter.decode(task.raw))
        fields = map_front_matter(page.meta, taxonomies=taxonomies, tz=tz)
        check_body(page.body, source="Markdown" if task.is_markdown else "HTML")
        html, unknown = render_body(page.body, is_markdown=task.is_markdown, markup=markup)
        check_body(html)
        if fields.slug:
            slug_base = pinyin_slug(fields.slug, max_length=100, fallback="article")
        else:
            slug_base = pinyin_slug(fields.title, max_length=MAX_SLUG_LENGTH, fallback="article")
        prepared = Prepared(
            fields=fields, body=html, unknown_shortcodes=unknown, slug_base=slug_base
        )
        if not has_images(html):  # with images the body changes when they are stored
            prepared.clean_body = sanitize_html(html)
            check_body(prepared.clean_body)
            prepared.derived = derive_text(
                title=fields.title, description=fields.description, body=prepared.clean_body
            )
            prepared.problems = body_problems(prepared.derived.body)
        return prepared
    except (frontmatter.FrontMatterError, MappingError, LimitError) as exc:
        return Prepared(error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        return Prepared(error=f"{type(exc).__name__}: {exc}")


def _prepare_chunk(tasks, taxonomies, tz, markup=None):
    return [prepare(task, taxonomies=taxonomies, tz=tz, markup=markup) for task in tasks]


def _start_worker():
    import django

    django.setup()  # a no-op under fork; spawn (macOS, Windows) starts from nothing
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    jieba()


def _exit_with_parent(parent):
    # An import killed with SIGKILL cannot stop its pool; without this its workers would wait
    # on the task queue for ever (tests/test_reliability_import.py).
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def default_jobs():
    return os.cpu_count() or 1


def prepared_in_order(staged, *, jobs, taxonomies, tz, markup=None):
    """staged: (file, Task or any other outcome) pairs in file order. Yields (file, outcome,
    Prepared for a Task else None) in the same order; with jobs > 1, worker processes prepare
    the pages ahead of the caller."""
    if jobs <= 1:
        for file, task in staged:
            prepared = (
                prepare(task, taxonomies=taxonomies, tz=tz, markup=markup)
                if _is_task(task)
                else None
            )
            yield file, task, prepared
        return
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    window = deque()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker) as pool:
        for chunk in _chunks(staged, CHUNK):
            tasks = [task for _, task in chunk if _is_task(task)]
            future = None
            if tasks:
                if forking:
                    # Loaded here, before the first worker is forked, so all share its pages
                    # (and an import with nothing to do never loads it).
                    jieba()
                future = pool.submit(_prepare_chunk, tasks, taxonomies, tz, markup)
            window.append((chunk, future))
            if len(window) > 4 * jobs:
                yield from _results(*window.popleft())
        while window:
            yield from _results(*window.popleft())


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _is_task(item):
    return isinstance(item, Task)


def _results(chunk, future):
    prepared = iter(future.result() if future else [])
    for file, task in chunk:
        yield file, task, next(prepared) if _is_task(task) else None
