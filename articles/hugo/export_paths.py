"""Where an export may write: every folder and file name one sanitised part, every path
(symlinks followed) inside OUT_DIR; and media files copied beside the page that uses them."""

import shutil
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage

_MAX_PART_BYTES = 200  # a file name: most file systems allow 255 bytes


class UnsafePath(ValueError):
    """A name that would make a path leave its folder (or OUT_DIR)."""


def part(name):
    """name as one safe path part, else UnsafePath."""
    name = str(name)
    if (
        not name
        or name.startswith(".")
        or any(char in name for char in "/\\\0")
        or len(name.encode("utf-8", "surrogatepass")) > _MAX_PART_BYTES
    ):
        raise UnsafePath(f"{name[:80]!r} is not a safe file or folder name")
    return name


def safe_file(root, base, *names):
    """base/names..., each name one safe part, the path (symlinks followed) under root."""
    path = base.joinpath(*(part(name) for name in names))
    if not path.resolve().is_relative_to(root):
        raise UnsafePath(f"{path} would be outside the export folder")
    return path


def safe_folder(root, base, *names):
    """safe_file(), created as a folder."""
    path = safe_file(root, base, *names)
    path.mkdir(parents=True, exist_ok=True)
    return path


def copy_media(name, bundle, report):
    """Copy the media file name into the bundle; -> its file name there, "" when not copied."""
    path = PurePosixPath(name)
    if path.is_absolute() or any(p in {"", ".", ".."} for p in name.split("/")):
        report.skip(f"image {name[:200]!r}", "not a path inside media; left out")
        return ""
    try:
        filename = part(path.name)
        target_path = safe_file(bundle.resolve(), bundle, filename)
        with default_storage.open(name, "rb") as source, open(target_path, "wb") as target:
            shutil.copyfileobj(source, target)
    except (UnsafePath, SuspiciousOperation) as exc:
        report.skip(f"image {name[:200]!r}", f"left out: {exc}")
        return ""
    except OSError:
        report.missing_images.append(name)
        return ""
    report.images += 1
    return filename
