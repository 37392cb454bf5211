"""A Hugo site on disk: where content, static files and config are, and what the config says."""

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings as django_settings

from articles.hugo.files import Refused, inside, read_limited
from articles.hugo.frontmatter import FrontMatterError, load_yaml
from articles.hugo.limits import MAX_CONFIG_BYTES
from articles.hugo.mapping import is_author_taxonomy, is_topic_taxonomy

CONFIG_NAMES = [
    "hugo.toml",
    "config.toml",
    "hugo.yaml",
    "config.yaml",
    "hugo.yml",
    "config.yml",
    "hugo.json",
    "config.json",
]
CONFIG_SUFFIXES = {".toml", ".yaml", ".yml", ".json"}
CONFIG_DIR = "config"
DEFAULT_ENVIRONMENT = "production"
MAX_CONFIG_FILES = 100  # in config/_default/ and config/<environment>/ together
# Top-level config keys the import reads (lower case: Hugo's keys are case-insensitive).
USED_CONFIG_KEYS = {
    "contentdir",
    "staticdir",
    "taxonomies",
    "defaultcontentlanguage",
    "defaultcontentlanguageinsubdir",
    "languages",
    "menu",
    "menus",
    "permalinks",
    "uglyurls",
    "disablepathtolower",
    "markup",
    "pagination",
    "paginate",
    "paginatepath",
}
DEFAULT_LANGUAGE = "zh-cn"
# Without a site config, Hugo's two default taxonomies plus our own site's `news`.
FALLBACK_TAXONOMIES = {"tag": "tags", "category": "categories", "news": "news"}


class SiteError(Exception):
    """SITE_DIR cannot be read as a Hugo site."""


@dataclass
class Site:
    root: Path
    content_dir: Path
    static_dirs: list
    config: dict = field(default_factory=dict)
    config_file: Path | None = None  # the first config file read (root file or config/...)
    config_files: list = field(default_factory=list)  # every one, in the order merged
    unused_config: dict = field(default_factory=dict)  # config file (rel) -> keys not read
    # Declared taxonomies whose terms only data pages use (the ad pages' adtype, adshow):
    # not vocabularies; selection.select_pages() finds them, their values stay in extra.
    noise_taxonomies: set = field(default_factory=set)
    # Hugo language -> its own content folder (`[languages.en] contentDir = "content/en"`),
    # for languages other than the default one; the default's is content_dir.
    language_dirs: dict = field(default_factory=dict)
    # Pages in a language the newsroom does not keep (zh-tw, fr): skipped, but their old URLs
    # lead to the same page in the default language (RedirectWriter.finish).
    unkept_pages: list = field(default_factory=list)
    noise_terms: dict = field(default_factory=dict)  # noise taxonomy -> Counter(term: pages)

    def setting(self, name, default=None):
        """A top-level config value; keys are case-insensitive, as in Hugo."""
        return lookup(self.config, name, default)

    def config_warnings(self):
        """(config file, message) for each thing in the config the import does not carry over."""
        for config_file, keys in self.unused_config.items():
            yield config_file, f"config keys not used by the import: {', '.join(keys)}"
        related = self.setting("related")
        if (
            isinstance(related, dict)
            and lookup(related, "includeNewer") is True
            and not django_settings.NEWSROOM["RELATED_INCLUDE_NEWER"]
        ):
            yield (
                self.config_name,
                (
                    "related.includeNewer = true: related lists here show only articles published "
                    "before the one read, unless the newsroom runs with RELATED_INCLUDE_NEWER=1 "
                    "(docs/DEPLOYMENT.md)"
                ),
            )

    @property
    def taxonomies(self):
        """plural -> singular, e.g. {"tags": "tag", "categories": "category", "news": "news"}."""
        declared = self.setting("taxonomies") if self.config_files else None
        if not isinstance(declared, dict):
            declared = FALLBACK_TAXONOMIES
        return {
            str(plural): str(singular)
            for singular, plural in declared.items()
            if plural and str(plural) not in self.noise_taxonomies
        }

    @property
    def config_name(self):
        """The first config file's path under the site (what site-wide warnings name)."""
        return self.config_file.relative_to(self.root).as_posix() if self.config_file else ""

    @property
    def topic_taxonomies(self):
        return [p for p, singular in self.taxonomies.items() if is_topic_taxonomy(p, singular)]

    @property
    def author_taxonomy(self):
        """The plural of a declared author taxonomy ("authors"), else None: its term pages
        were author pages, redirected to the author, never a topic."""
        return next((p for p, s in self.taxonomies.items() if is_author_taxonomy(p, s)), None)

    @property
    def default_language(self):
        return str(self.setting("defaultContentLanguage") or DEFAULT_LANGUAGE).lower()

    @property
    def languages(self):
        declared = self.setting("languages")
        names = {self.default_language}
        if isinstance(declared, dict):
            names |= {str(name).lower() for name in declared}
        return names

    @property
    def permalinks(self):
        value = self.setting("permalinks") or {}
        if not isinstance(value, dict):
            return {}
        page = lookup(value, "page")
        if isinstance(page, dict):  # Hugo 0.120+: [permalinks.page]
            value = page
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}

    @property
    def pager_size(self):
        """Hugo's list page size: pagination.pagerSize (0.128+), else `paginate`, else 10."""
        pagination = self.setting("pagination")
        size = lookup(pagination, "pagerSize") if isinstance(pagination, dict) else None
        size = size or self.setting("paginate")
        try:
            return max(1, int(size)) if size else 10
        except (TypeError, ValueError):
            return 10

    @property
    def pagination_path(self):
        pagination = self.setting("pagination")
        path = lookup(pagination, "path") if isinstance(pagination, dict) else None
        return str(path or self.setting("paginatePath") or "page").strip("/") or "page"

    @property
    def ugly_urls(self):
        return bool(self.setting("uglyURLs"))

    @property
    def lower_paths(self):
        return not self.setting("disablePathToLower")

    @property
    def language_prefix(self):
        in_subdir = self.setting("defaultContentLanguageInSubdir")
        return f"/{self.default_language}" if in_subdir else ""


def lookup(mapping, name, default=None):
    """mapping[name] with the key matched case-insensitively (the last spelling wins)."""
    wanted, found = str(name).lower(), default
    for key, value in mapping.items():
        if str(key).lower() == wanted:
            found = value
    return found


def open_site(site_dir, *, environment=DEFAULT_ENVIRONMENT):
    """Nothing outside SITE_DIR is read: a config or contentDir leaving it is refused here,
    content files in content_files(), images in media.ImageStore.

    The config is read the way Hugo reads it: the root file (hugo.toml, config.toml, ...),
    then config/_default/ and config/<environment>/ merged over it, map into map."""
    root = Path(site_dir)
    if not root.is_dir():
        raise SiteError(f"{site_dir}: not a directory")
    config, files, origin = {}, [], {}
    config_file = next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)
    if config_file:
        _merge_file(config, origin, config_file, root, key_path=[])
        files.append(config_file)
    for path, key_path in _config_dir_files(root, environment):
        _merge_file(config, origin, path, root, key_path=key_path)
        files.append(path)
    content_name = str(lookup(config, "contentDir") or "content")
    content_dir = root / content_name
    if not inside(content_dir, root):
        raise SiteError(f"{site_dir}: contentDir {content_name!r} leaves the site; refused")
    language_dirs = _language_dirs(config, root)
    default_language = str(lookup(config, "defaultContentLanguage") or DEFAULT_LANGUAGE).lower()
    if default_language in language_dirs:
        content_dir = language_dirs.pop(default_language)
    elif not content_dir.is_dir():
        if files:
            raise SiteError(f"{site_dir}: has {files[0].name} but no {content_dir.name}/ folder")
        content_dir = root  # a bare content folder
    static_names = lookup(config, "staticDir") or ["static"]
    if isinstance(static_names, str):
        static_names = [static_names]
    static_dirs = [root / name for name in static_names] + [root / "assets"]
    try:
        next(content_dir.iterdir(), None)
    except OSError as exc:
        raise SiteError(f"{site_dir}: cannot read {content_dir}: {exc.strerror}") from exc
    unused = {}
    for key in config:
        if str(key).lower() not in USED_CONFIG_KEYS:
            unused.setdefault(origin[str(key).lower()], []).append(str(key))
    return Site(
        root=root,
        content_dir=content_dir,
        static_dirs=static_dirs,
        config=config,
        config_file=files[0] if files else None,
        config_files=files,
        unused_config=unused,
        language_dirs=language_dirs,
    )


def _language_dirs(config, root):
    """{language: folder} of the languages with their own `contentDir`; one leaving the site is
    refused (SiteError), one that does not exist has no content (as in Hugo)."""
    languages = lookup(config, "languages")
    found = {}
    for name, settings in languages.items() if isinstance(languages, dict) else ():
        folder = lookup(settings, "contentDir") if isinstance(settings, dict) else None
        if not folder:
            continue
        path = root / str(folder)
        if not inside(path, root):
            raise SiteError(f"{root}: languages.{name}.contentDir {folder!r} leaves the site")
        if path.is_dir():
            found[str(name).lower()] = path
    return found


def _config_dir_files(root, environment):
    """(file, key path) of config/_default/ then config/<environment>/, as Hugo names them:
    hugo.* and config.* are the root; params.toml sets params; menus.en.toml sets
    languages.en.menus, params.en.toml languages.en.params, other.en.toml languages.en."""
    found = []
    for name in ["_default", environment]:
        folder = root / CONFIG_DIR / name
        if "/" in name or "\\" in name or name.startswith(".") or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel_parts = path.relative_to(folder).parts
            if (
                any(p.startswith(".") for p in rel_parts)
                or path.suffix.lower() not in CONFIG_SUFFIXES
                or not path.is_file()
            ):
                continue
            stem = path.name[: -len(path.suffix)]
            if stem.lower() in {"hugo", "config"}:
                key_path = []
            else:
                key, _, lang = stem.partition(".")
                key_path = [key]
                if lang:
                    key_path = ["languages", lang]
                    if key.lower() in {"menu", "menus"}:
                        key_path.append("menus")
                    elif key.lower() == "params":
                        key_path.append("params")
            found.append((path, key_path))
            if len(found) > MAX_CONFIG_FILES:
                raise SiteError(f"{root}: more than {MAX_CONFIG_FILES} config files; refused")
    return found


def _merge_file(config, origin, path, root, *, key_path):
    value = _read_config(path, root)
    for key in reversed(key_path):
        value = {key: value}
    rel = path.relative_to(root).as_posix()
    for key in value:
        origin.setdefault(str(key).lower(), rel)
    merge_config(config, value)


def merge_config(base, over):
    """Hugo's Set: over's values replace base's, maps are merged into maps, keys matched
    case-insensitively at every level."""
    for key, value in over.items():
        same = [k for k in base if str(k).lower() == str(key).lower()]
        current = base[same[-1]] if same else None
        for k in same:
            del base[k]
        if isinstance(current, dict) and isinstance(value, dict):
            merge_config(current, value)
            base[key] = current
        else:
            base[key] = value
    return base


def _read_config(path, root):
    try:
        text = read_limited(path, root=root, max_bytes=MAX_CONFIG_BYTES).decode("utf-8-sig")
        if path.suffix == ".toml":
            config = tomllib.loads(text)
        elif path.suffix == ".json":
            config = json.loads(text)
        else:
            config = load_yaml(text, what="YAML") or {}
    except Refused as exc:
        raise SiteError(f"{path}: site config {exc}") from exc
    except (UnicodeDecodeError, ValueError, FrontMatterError, RecursionError) as exc:
        raise SiteError(f"{path}: unreadable site config: {exc}") from exc
    if not isinstance(config, dict):
        raise SiteError(f"{path}: site config is not a mapping")
    return config
