"""Split a Hugo content file into front matter and body: YAML (---), TOML (+++) or JSON ({)."""

import json
import tomllib
from dataclasses import dataclass

import yaml


class FrontMatterError(ValueError):
    pass


class _TextDatesLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that leaves timestamps as text: dates.py parses every shape Hugo accepts,
    including the ones YAML's own timestamp rule gets wrong (+0800) or refuses."""


class _PureTextDatesLoader(yaml.SafeLoader):
    """The same in pure Python, for long front matter: libyaml overflows the C stack (the
    process dies with SIGSEGV) on flow collections nested some 30,000 deep, where Python
    raises RecursionError. Nesting that deep needs at least that many characters."""


_C_LOADER_MAX_CHARS = 16_000

for _loader in (_TextDatesLoader, _PureTextDatesLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _loader.yaml_implicit_resolvers.items()
    }


@dataclass
class Page:
    format: str  # "yaml", "toml", "json" or "" (no front matter)
    meta: dict
    body: str


def decode(raw):
    """bytes -> str: UTF-8 with or without BOM, CRLF or CR line ends turned into LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrontMatterError(
            f"not UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})"
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text):
    """Return a Page. A file with no front matter gives an empty meta and the whole text."""
    stripped = text.lstrip("\n")
    first_line = stripped.split("\n", 1)[0].rstrip()
    if first_line == "---":
        return _delimited(stripped, "---", "yaml", _load_yaml)
    if first_line == "+++":
        return _delimited(stripped, "+++", "toml", _load_toml)
    if stripped.startswith("{"):
        try:
            meta, end = json.JSONDecoder().raw_decode(stripped)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"JSON front matter: {exc}") from exc
        except RecursionError as exc:
            raise FrontMatterError("JSON front matter is nested too deeply") from exc
        if not isinstance(meta, dict):
            raise FrontMatterError("JSON front matter is not an object")
        return Page("json", meta, stripped[end:].lstrip("\n"))
    return Page("", {}, text)


def _delimited(text, fence, fmt, load):
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == fence:
            meta = load("\n".join(lines[1:index]))
            return Page(fmt, meta, "\n".join(lines[index + 1 :]).lstrip("\n"))
    raise FrontMatterError(f"front matter opened with {fence} is never closed")


def _load_yaml(source):
    try:
        loader = _TextDatesLoader if len(source) <= _C_LOADER_MAX_CHARS else _PureTextDatesLoader
        meta = yaml.load(source, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except RecursionError as exc:
        raise FrontMatterError("YAML front matter is nested too deeply") from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"YAML front matter: {exc}".replace("\n", " ")) from exc
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML front matter is not a mapping")
    return meta


def _load_toml(source):
    try:
        return tomllib.loads(source)
    except RecursionError as exc:
        raise FrontMatterError("TOML front matter is nested too deeply") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"TOML front matter: {exc}") from exc


def dump_yaml(meta):
    """Front matter for export: YAML, keys in the given order, Chinese kept readable."""
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{text}---\n"
