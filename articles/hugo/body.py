"""An article body from Hugo: shortcodes, Markdown, and every <img> pointed at media."""

import re
from contextlib import contextmanager
from html import escape, unescape
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage

from articles.hugo.links import rewrite_links
from articles.hugo.markdown import render_body
from articles.hugo.media import ImageProblem, csp_allows_image_host
from articles.models import ContentIssue

_IMG_START = re.compile(r"<img\b", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)


def render_article_body(text, *, file, images, is_markdown=True, markup=None):
    """-> (html, problems); problems are (ContentIssue kind, message, detail) tuples.
    markup: the site config's `markup` table, None for Hugo's defaults."""
    html, unknown = render_body(text, is_markdown=is_markdown, markup=markup)
    return resolve_images(html, unknown=unknown, file=file, images=images)


@contextmanager
def after_import(run, *, remote=False):
    """Around import_site()'s loop over the files: remote turns downloads on; once every
    page is in, points links between pages at their articles and sums up the remote images."""
    run.images.download_remote = remote
    yield
    rewrite_links(run)
    hosts = run.images.hosts_to_allow()
    if hosts:
        count = sum(run.images.remote_hosts[host] for host in hosts)
        # On the first page with one, so that every warning names a file of the site.
        warned = (w["file"] for w in run.report.warnings if "remote image" in w["message"])
        run.report.warn(
            next(warned, ""),
            f"{REMOTE_SUMMARY} {count} remote image(s) were not downloaded, and readers will "
            "not see them: the site's Content-Security-Policy (img-src) does not allow their "
            f"hosts. Import again with --download-remote-images, or allow these hosts "
            f"(MEDIA_HOSTS): {', '.join(hosts)}",
        )


REMOTE_SUMMARY = "Remote images:"


def remote_message(ref):
    host = urlsplit(ref).hostname or ref
    if csp_allows_image_host(host):
        return f"remote image {ref} left on its server (not downloaded)"
    return (
        f"remote image {ref} left on its server (not downloaded): readers will not see it, the "
        f"site's Content-Security-Policy (img-src) does not allow {host}; import with "
        "--download-remote-images, or add the host to MEDIA_HOSTS"
    )


def img_tags(html):
    """(start, end) of every <img ...> in html, in linear time: a regex like <img\b[^>]*>
    looks for the ">" again from every "<img" when there is none (quadratic)."""
    pos = 0
    while start := _IMG_START.search(html, pos):
        end = html.find(">", start.end())
        if end < 0:
            return
        yield start.start(), end + 1
        pos = end + 1


def replace_img_tags(html, replace):
    """html with each <img ...> tag replaced by replace(tag)."""
    out, pos = [], 0
    for start, end in img_tags(html):
        out += [html[pos:start], replace(html[start:end])]
        pos = end
    out.append(html[pos:])
    return "".join(out)


def has_images(html):
    return next(img_tags(html), None) is not None


def resolve_images(html, *, unknown, file, images):
    """The second half of render_article_body(), on rendered HTML: it reads and stores image
    files, so the Hugo import runs it in the main process, after render_body() in a worker."""
    problems = [
        (
            ContentIssue.Kind.UNKNOWN_SHORTCODE,
            f"unknown shortcode {{{{< {name} >}}}} kept as text",
            name,
        )
        for name in dict.fromkeys(unknown)
    ]

    def replace(tag):
        src = _SRC.search(tag)
        if not src:
            return tag
        raw = unescape(next(g for g in src.groups() if g is not None))
        if not raw or raw.startswith("data:"):
            return tag
        remote = raw.startswith(("http://", "https://", "//"))
        ref = raw if remote else unquote(raw)
        found = images.resolve(ref, page_dir=file.path.parent)
        if isinstance(found, tuple) and found[0] == "local":
            found = images.store(found[1], ref=ref)
        if remote and not isinstance(found, str):  # left on its server, or the download failed
            if isinstance(found, ImageProblem):
                problems.append((found.kind, found.message, ref))
            else:
                problems.append((ContentIssue.Kind.REMOTE_IMAGE, remote_message(ref), ref))
            if ref.startswith("//"):
                return tag.replace(src.group(0), f' src="https:{escape(ref)}"', 1)
            return tag
        if isinstance(found, ImageProblem):
            problems.append((found.kind, found.message, ref))
            # No src (it would not load), but the path stays visible to the editor in title,
            # which is also how the issue notices it has been fixed.
            without_src = tag.replace(src.group(0), "", 1)
            return without_src.replace("<img", f'<img title="{escape(ref)}"', 1)
        url = found if images.dry_run else default_storage.url(found)
        return tag.replace(src.group(0), f' src="{escape(url)}"', 1)

    if not has_images(html):
        return html, problems
    return replace_img_tags(html, replace), problems
