"""Every real Hugo site in ../shared/hugo-corpus imports without a crash, and every failure
and warning names its file and a reason. Skipped when the corpus is not there."""

import re

import pytest

from articles.hugo.importer import import_site
from articles.models import Article
from tests.hugo_sites import SHARED

CORPUS = SHARED / "hugo-corpus"
SITES = (
    sorted(p.name for p in CORPUS.iterdir() if (p / "content").is_dir()) if CORPUS.is_dir() else []
)
OURS = "yi-work-metanav"
IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


def _images_bytes(site):
    content = CORPUS / site / "content"
    return sum(f.stat().st_size for f in content.rglob("*") if f.suffix.lower() in IMAGES)


def _as_param(site):
    """A site whose import is mostly Pillow making renditions (over 1 MB of pictures) costs
    the same on either database: it runs once, in `make test` (the `once` marker). Ours runs
    on both whatever its size."""
    heavy = site != OURS and _images_bytes(site) > 1_000_000
    return pytest.param(site, marks=pytest.mark.once) if heavy else site


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SITES, reason="../shared/hugo-corpus is not here"),
]


@pytest.mark.parametrize("site", [_as_param(site) for site in SITES] or ["none"])
def test_corpus_site_imports(site):
    root = CORPUS / site
    report = import_site(site_dir=root)
    files = {p.relative_to(root / "content").as_posix() for p in (root / "content").rglob("*")}
    for failure in report.failed:
        assert failure["file"] in files and failure["error"].strip(), failure
        # A reason, not an unexpected exception (those are reported as "SomeError: ...").
        assert not re.match(r"^\w+(Error|Exception):", failure["error"]), failure
    configs = {p.relative_to(root).as_posix() for p in root.glob("*.*")}
    configs |= {p.relative_to(root).as_posix() for p in root.glob("config/**/*.*")}
    for warning in report.warnings:
        # Pages are named under content/; the site's config files under SITE_DIR.
        assert warning["file"] in files | configs and warning["message"].strip(), warning
    assert report.created, "nothing imported"
    assert Article.objects.count() == len(report.created)
    again = import_site(site_dir=root)
    assert not again.created and not again.updated
    assert sorted(again.unchanged) == sorted(report.created)
