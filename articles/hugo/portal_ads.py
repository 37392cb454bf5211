"""Ad pages of a Hugo site (`content/ads/<adtype>/<name>/index.md`) as Ad rows.

adtype 1, 2, 3 are the old theme's wide banner, side pair and the image under the table of
contents (spots banner, side, toc); a spot's own key is accepted too (what the export writes
for other spots). Each write goes through the ad services (articles.curation.ads), logged without a
user, as an editor's change is logged with theirs.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from articles.curation import ads
from articles.hugo.dates import parse_date
from articles.hugo.media import ImageProblem
from articles.hugo.site import lookup
from articles.models import Ad, AdLog, AdSpot

SPOT_BY_ADTYPE = {"1": "banner", "2": "side", "3": "toc"}
ADTYPE_BY_SPOT = {spot: adtype for adtype, spot in SPOT_BY_ADTYPE.items()}
PAGES_BY_ADSHOW = {"all": Ad.Pages.ALL, "index": Ad.Pages.HOME, "other": Ad.Pages.OTHER}
MAX_LINK_CHARS = 500
_http_url = URLValidator(schemes=["http", "https"])
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")
# What a re-import compares (the services log what changed).
COMPARED = [
    "spot", "title", "alt", "link", "pages", "position", "enabled", "starts_at", "ends_at",
    "image", "phone_image",
]  # fmt: skip


@dataclass
class Skip:
    """A portal page left out of the import (reported under skipped with the reason)."""

    reason: str


class AdWriter:
    def __init__(self, *, run):
        self.run = run
        self.spots = {spot.key: spot for spot in AdSpot.objects.all()}

    def write(self, file, meta, fields, warnings):
        """-> "created" | "updated" | "unchanged" | portal.Skip(reason)."""
        adtype = _one(lookup(meta, "adtype"))
        key = SPOT_BY_ADTYPE.get(adtype) or (adtype if adtype in self.spots else None)
        if key is None:
            return Skip(
                f"ad not imported: unknown adtype {adtype!r} "
                "(1 = wide banner, 2 = side pair, 3 = under the table of contents)"
            )
        spot = self.spots.get(key)
        if spot is None:
            return Skip(f"ad not imported: the ad spot {key!r} does not exist")
        link = _one(lookup(meta, "link"))
        problem = _link_problem(link)
        if problem:
            return Skip(f"ad not imported: link {link[:200]!r} {problem}")
        adshow = _one(lookup(meta, "adshow")).lower() or "all"
        pages = PAGES_BY_ADSHOW.get(adshow)
        if pages is None:
            warnings.append(f"adshow {adshow!r} unknown (all, index, other); shown on all pages")
            pages = Ad.Pages.ALL
        image, problem = self._image(fields.featured_image, file, "featuredImage")
        if problem:
            return Skip(f"ad not imported: {problem}")
        phone_ref = _one(lookup(meta, "featuredImage1"))
        phone_image, problem = (
            self._image(phone_ref, file, "featuredImage1") if phone_ref else ("", "")
        )
        if problem:
            return Skip(f"ad not imported: {problem}")
        window, problem = self._window(meta)
        if problem:
            return Skip(f"ad not imported: {problem}")
        values = {
            **window,
            "spot": spot,
            "title": fields.title[:200],
            "alt": fields.title[:200],
            "link": link,
            "pages": pages,
            "position": _position(fields.weight),
            "enabled": not fields.draft,
            "image": image,
            "phone_image": phone_image,
        }
        ad = Ad.objects.filter(source_path=file.rel).first()
        if ad is None:
            return self._save(Ad(source_path=file.rel), values, action=AdLog.Action.ADDED)
        last = AdLog.objects.filter(ad=ad).first()
        if not _changed(ad, values):
            return "unchanged"
        if last is not None and last.user_id is not None and not self.run.overwrite:
            return Skip(
                "ad changed in the admin since the last import; left alone "
                "(use --overwrite to replace the editor's changes)"
            )
        return self._save(ad, values, action=AdLog.Action.CHANGED)

    def _window(self, meta):
        """Hugo's own `publishDate` and `expiryDate` are the ad's start and end."""
        window = {}
        for name, key in (("starts_at", "publishDate"), ("ends_at", "expiryDate")):
            value = lookup(meta, key)
            try:
                window[name] = parse_date(value, tz=self.run.tz)
            except ValueError:
                return {}, f"{key} {str(value)[:40]!r} is not a date"
        if window["starts_at"] and window["ends_at"] and window["ends_at"] <= window["starts_at"]:
            return {}, "expiryDate is not after publishDate"
        return window, ""

    def _save(self, ad, values, *, action):
        """Write through the ad services (articles.curation.ads), as the admin does: the same
        rules, and the log row, here without a user (by=None: the import)."""
        if not self.run.dry_run:  # a dry run's image names were never stored: nothing to read
            if ad.pk is None:
                ads.add_ad(by=None, source_path=ad.source_path, **values)
            else:
                ads.change_ad(ad=ad, by=None, **values)
        return "created" if action == AdLog.Action.ADDED else "updated"

    def _image(self, ref, file, what):
        """-> (media name, "") or ("", the problem)."""
        if not ref:
            return "", f"{what}: no image"
        images = self.run.images
        found = images.resolve(ref, page_dir=file.path.parent)
        if isinstance(found, tuple) and found[0] == "local":
            found = images.store(found[1], ref=ref)
        if isinstance(found, ImageProblem):
            return "", f"{what}: {found.message}"
        if isinstance(found, tuple):
            return "", f"{what}: remote image {ref[:200]!r} is not downloaded; an ad needs a file"
        return found, ""


def _one(value):
    """A front matter scalar: a one-item list is its item; None is ""."""
    if isinstance(value, list | tuple):
        value = next((v for v in value if v not in (None, "")), "")
    return "" if value is None else str(value).strip()


def _link_problem(link):
    if not link:
        return "is missing"
    if len(link) > MAX_LINK_CHARS or _SPACE.search(link):
        return "is not a single http(s) address"
    try:
        _http_url(link)
    except ValidationError:
        return "is not an http(s) address"
    return ""


def _position(weight):
    return 0 if weight is None else max(-(2**31), min(weight, 2**31 - 1))


def _changed(ad, values):
    """Whether the page's values differ from the ad's (spots by key, images by name)."""
    for name in COMPARED:
        new = values[name]
        if name == "spot":
            old, new = (ad.spot.key if ad.spot_id else None), new.key
        elif name in {"image", "phone_image"}:
            old = getattr(ad, name).name or ""
        else:
            old = getattr(ad, name)
        if old != new:
            return True
    return False
