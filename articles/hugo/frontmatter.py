"""Split a Hugo content file into front matter and body: YAML (---), TOML (+++) or JSON ({)."""

import json
import tomllib
from dataclasses import dataclass

import yaml

from articles.hugo.limits import (
    MAX_ALIAS_EXPANSION,
    MAX_FRONT_MATTER_BYTES,
    MAX_NESTING,
    size_text,
)


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
        _check_size(stripped[:end], "JSON")
        _check_nesting(meta, "JSON")
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
    _check_size(source, "YAML")
    meta = load_yaml(source, what="YAML front matter")
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML front matter is not a mapping")
    return meta


def load_yaml(source, *, what):
    """YAML text -> data, timestamps left as text, refused (FrontMatterError) when nested
    deeper than MAX_NESTING or when aliases would repeat more than MAX_ALIAS_EXPANSION of it:
    a few hundred bytes of nested aliases (a "billion laughs") otherwise become gigabytes
    once the data is copied into extra."""
    loader_class = _TextDatesLoader if len(source) <= _C_LOADER_MAX_CHARS else _PureTextDatesLoader
    loader = loader_class(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, what)
        return loader.construct_document(node)
    except RecursionError as exc:
        raise FrontMatterError(f"{what} is nested too deeply") from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"{what}: {exc}".replace("\n", " ")) from exc
    finally:
        loader.dispose()


def _check_graph(root, what):
    """Walk the composed nodes once (an alias is the same node object again), counting each
    node's size as written (distinct) and as the data would hold it (expanded)."""
    expanded = {}  # id(node) -> (characters + nodes, depth) of the node with aliases expanded
    distinct = 0
    on_path = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            on_path.discard(key)
            own = 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
            size = own + sum(expanded[id(child)][0] for child in children)
            depth = 1 + max((expanded[id(child)][1] for child in children), default=0)
            if depth > MAX_NESTING:
                raise FrontMatterError(f"{what} is nested too deeply (over {MAX_NESTING} levels)")
            expanded[key] = (size, depth)
            distinct += own
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise FrontMatterError(f"{what}: an alias refers to the anchor it is inside")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in expanded)
    added = expanded[id(root)][0] - distinct
    if added > MAX_ALIAS_EXPANSION:
        raise FrontMatterError(
            f"{what}: aliases would repeat {added:,} characters and values, over the "
            f"{MAX_ALIAS_EXPANSION:,} allowed; refused"
        )


def _children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _load_toml(source):
    _check_size(source, "TOML")
    try:
        meta = tomllib.loads(source)
    except RecursionError as exc:
        raise FrontMatterError("TOML front matter is nested too deeply") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"TOML front matter: {exc}") from exc
    _check_nesting(meta, "TOML")
    return meta


def _check_size(source, fmt):
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            f"{fmt} front matter too large: {size_text(size)}, over the "
            f"{size_text(MAX_FRONT_MATTER_BYTES)} limit"
        )


def _check_nesting(meta, fmt):
    """JSON and TOML share nothing between values: a plain walk is linear."""
    stack = [(meta, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise FrontMatterError(
                f"{fmt} front matter is nested too deeply (over {MAX_NESTING} levels)"
            )
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def dump_yaml(meta):
    """Front matter for export: YAML, keys in the given order, Chinese kept readable."""
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{text}---\n"
