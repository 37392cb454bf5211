"""An import killed while writing an image: no cut-short file is left under a final name or
trusted by the next run, which completes (the SIGKILL run on 150 files is in
test_reliability_import.py)."""

import subprocess
from pathlib import Path

import pytest

from articles.hugo.importer import import_site
from articles.media import storage as storage_module
from articles.models import Article

from .faults import Killed, faulty_disk, intact_import_images, media_files
from .hugo_sites import page, png, write_site

pytestmark = pytest.mark.django_db


def _image_site(root, count=3):
    files = {}
    for n in range(count):
        files[f"news/story-{n}/index.md"] = page(f"第 {n} 篇", featuredImage="cover.png")
        files[f"news/story-{n}/cover.png"] = png(size=(300 + n, 200), color=(n * 40, 90, 160))
    return write_site(root, files)


def test_an_import_killed_while_writing_an_image_completes_when_run_again(
    tmp_path, settings, monkeypatch
):
    site = _image_site(tmp_path / "site")
    disk = faulty_disk(monkeypatch)
    disk.fail(file=4, keep=10, error=Killed)  # the second image (after one + 2 renditions)

    with pytest.raises(Killed):
        import_site(site_dir=site)

    # The first image is whole; the second, killed mid-write, has no file under its name.
    assert list(intact_import_images(settings.MEDIA_ROOT).values()) == [True]
    disk.heal()
    report = import_site(site_dir=site)

    assert not report.failed
    articles = Article.objects.exclude(featured_image="")
    assert articles.count() == 3
    assert list(intact_import_images(settings.MEDIA_ROOT).values()) == [True, True, True]
    assert not [f for f in media_files(settings.MEDIA_ROOT) if f.endswith(".part")]


def test_a_cut_short_image_left_by_an_older_import_is_written_again(tmp_path, settings):
    site = _image_site(tmp_path / "site", count=1)
    import_site(site_dir=site)
    article = Article.objects.get()
    stored = Path(settings.MEDIA_ROOT) / article.featured_image.name
    whole = stored.read_bytes()
    # What a non-atomic write killed halfway left: half a file under its final name, and no
    # article (its transaction never committed).
    stored.write_bytes(whole[: len(whole) // 2])
    article.delete()

    report = import_site(site_dir=site)

    assert not report.failed
    assert stored.read_bytes() == whole
    assert Article.objects.get().featured_image.name == article.featured_image.name


def test_the_next_import_removes_partial_files_of_a_killed_one(tmp_path, settings):
    dead_pid = subprocess.Popen(["true"])  # its pid is free once it has exited
    dead_pid.wait()
    folder = Path(settings.MEDIA_ROOT) / "articles" / "hugo" / "ab"
    folder.mkdir(parents=True)
    partial = folder / f".{storage_module._HOST}-{dead_pid.pid}-abcdef.part"
    partial.write_bytes(b"half an image")

    import_site(site_dir=_image_site(tmp_path / "site", count=1))

    assert not partial.exists()
