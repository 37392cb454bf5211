"""Helpers for the Hugo import/export tests: write a small Hugo site into a folder."""

from pathlib import Path

from tests.conftest import image_bytes

REPO = Path(__file__).resolve().parents[1]
DEMO_SITE = REPO / "articles" / "demo" / "hugo"
SHARED = REPO.parent / "shared"
SEED_REL = "news/shang-hai-zai-yuan-yu-zhou-sai-dao-lv-xian-qi-pao/index.md"
NEWS_CONFIG = """
defaultContentLanguage = "zh-cn"
[taxonomies]
tag = "tags"
category = "categories"
news = "news"
"""


def write_site(root, files, *, config=NEWS_CONFIG):
    """files: {"news/a/index.md": str | bytes}; paths under content/. Returns root."""
    root = Path(root)
    (root / "content").mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / "config.toml").write_text(config, encoding="utf-8")
    for rel, data in files.items():
        path = root / rel if rel.startswith("static/") else root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def page(title="一篇文章", body="正文。", **front):
    """A YAML page; front values are written as given (strings are YAML source)."""
    lines = ["---", f'title: "{title}"']
    lines += [f"{key}: {value}" for key, value in front.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def png(**kwargs):
    return image_bytes(**kwargs)
