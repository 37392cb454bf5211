"""Slugs that work for Chinese: 上海在元宇宙赛道率先起跑 -> shang-hai-zai-yuan-yu-zhou-sai-dao-lv-xian-qi-pao."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

MAX_SLUG_LENGTH = 80
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_CLAUSE_BREAK = re.compile(r"[，。：；！？、,:;!?|｜—]+")


def pinyin_slug(text, *, max_length=MAX_SLUG_LENGTH, fallback="item"):
    """A lowercase ASCII slug; Chinese characters become their pinyin, one word each.

    A title too long for max_length is cut at a clause break (，：！ ...) when one fits,
    so the slug reads as a phrase rather than stopping mid-word.
    """
    text = str(text or "")
    slug = _romanise(text)
    if len(slug) > max_length:
        kept = ""
        for clause in _CLAUSE_BREAK.split(text):
            candidate = _romanise(f"{kept} {clause}") if kept else _romanise(clause)
            if len(candidate) > max_length:
                break
            kept = f"{kept} {clause}" if kept else clause
        if _romanise(kept):
            return _romanise(kept)
    return _truncate(slug, max_length) or fallback


def _romanise(text):
    # Put spaces round each CJK character so each one's pinyin becomes its own word.
    spaced = _CJK.sub(lambda m: f" {m.group(0)} ", text)
    words = lazy_pinyin(spaced, style=Style.NORMAL, errors="default", v_to_u=False)
    # lazy_pinyin writes ü as "v" (lv); that is the usual spelling in URLs.
    return slugify(" ".join(words).replace("'", ""), allow_unicode=False)


def _truncate(slug, max_length):
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    if "-" in cut and slug[max_length] != "-":
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def unique_slug(
    text, *, model, field="slug", instance_pk=None, max_length=MAX_SLUG_LENGTH, fallback="item"
):
    """pinyin_slug(text), with -2, -3 ... appended until no other row of model has it."""
    base = pinyin_slug(text, max_length=max_length, fallback=fallback)
    others = (
        model._default_manager.exclude(pk=instance_pk)
        if instance_pk
        else (model._default_manager.all())
    )
    taken = set(others.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = f"{_truncate(base, max_length - len(suffix))}{suffix}"
        if candidate not in taken:
            return candidate
        n += 1


# Scripts written together in Chinese and Japanese; any of them may sit beside one alphabet.
_EAST_ASIAN = {"CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"}
_ALPHABET_NAMES = {"LATIN": _("拉丁"), "CYRILLIC": _("西里尔"), "GREEK": _("希腊")}


def normalize_slug(value):
    """An editor's slug in NFKC form: fullwidth ｎｅｗｓ becomes news, ① becomes 1."""
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def slug_alphabets(value):
    """The alphabets (LATIN, CYRILLIC, GREEK, ...) whose letters `value` uses; Chinese,
    Japanese and Korean characters, digits and punctuation count for none."""
    names = (unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0] for ch in value if ch.isalpha())
    return {name for name in names if name not in _EAST_ASIAN}


def validate_slug_script(value):
    """Refuse a slug that is not in NFKC form or mixes alphabets (Latin а beside Cyrillic р).

    Such slugs give two URLs that look the same and lead to different pages. Pinyin, Chinese,
    Chinese with Latin, and any one alphabet on its own pass. For a form field's validators;
    clean_slug() normalises instead of refusing.
    """
    normal = normalize_slug(value)
    if normal != value:
        raise ValidationError(
            _("网址别名含有全角或兼容字符，请写作“%(normal)s”。"),
            code="slug_not_normalised",
            params={"normal": normal},
        )
    alphabets = slug_alphabets(value)
    if len(alphabets) > 1:
        raise ValidationError(
            _("网址别名混用了不同字母表（%(alphabets)s）的字母，容易与别的网址混淆。"),
            code="slug_mixed_scripts",
            params={
                "alphabets": "、".join(str(_ALPHABET_NAMES.get(a, a)) for a in sorted(alphabets))
            },
        )


def clean_slug(value):
    """normalize_slug(value), refused by validate_slug_script() if it mixes alphabets."""
    normal = normalize_slug(value)
    validate_slug_script(normal)
    return normal
