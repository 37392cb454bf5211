"""Chinese word segmentation (jieba) and the plain text that search and reading time work on.

PostgreSQL's text-search parsers do not split Chinese, so text is segmented here, in Python:
when an article is saved (Article.search_document: title, summary and body as space-joined
jieba words, search-engine mode, lowercased) and when a reader searches (articles.search).
"""

import functools
import html
import logging
import re
import threading
from math import log
from pathlib import Path

from django.utils.html import strip_tags

USER_WORDS = Path(__file__).with_name("search_words.txt")
WORD = re.compile(r"\w+")
_jieba_lock = threading.Lock()


@functools.cache
def jieba():
    """jieba with the site's words, loaded once per process (the dictionary takes about 1 s)."""
    with _jieba_lock:
        import jieba  # a second of start-up: loaded on first use, not when Django starts

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        jieba.load_userdict(str(USER_WORDS))
        return jieba


def words(tokens):
    """Lowercased word tokens; punctuation and whitespace tokens are dropped."""
    for token in tokens:
        yield from (piece.lower() for piece in WORD.findall(token))


def segment_for_index(text):
    """Search-engine mode: a long word also yields its shorter dictionary words."""
    # words() in one regex pass: the joining space is not \w, so no piece spans two tokens;
    # and lowercased at once: a space ends a word for lower()'s one rule with context (final σ).
    return " ".join(WORD.findall(" ".join(cut_for_search(text)))).lower()


def cut_for_search(text):
    """jieba().cut_for_search(text) as a list, the same tokens in the same order, in about
    half the time: the dictionary walk of each run of Chinese characters (jieba's get_DAG,
    calc and __cut_DAG, with the HMM for unknown words) written as one loop, without jieba's
    generators and tuples. tests/test_segment_cut.py compares the two."""
    module = jieba()
    freq = module.dt.FREQ
    weights = _weights(module.dt)
    skip = module.re_skip_default
    out = []
    # re.split with one group: the runs jieba cuts with its dictionary are the odd pieces.
    for n, block in enumerate(module.re_han_default.split(text)):
        if not block:
            continue
        if n % 2:
            for word in _cut_block(block, weights, module.finalseg.cut):
                size = len(word)
                if size > 2:
                    out += [word[i : i + 2] for i in range(size - 1) if freq.get(word[i : i + 2])]
                if size > 3:
                    out += [word[i : i + 3] for i in range(size - 2) if freq.get(word[i : i + 3])]
                out.append(word)
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out += piece
    return out


_ABSENT = object()
# Fragments remembered a process (a web worker's too): some 30 MB at most, then looked up each time.
MAX_CACHED = 300_000


class _Weights(dict):
    """fragment -> log(count) - log(total) as jieba's calc() adds it (None: only the beginning
    of a word; _ABSENT: not even that), filled in as fragments are met; and .unknown: runs of
    unknown characters -> the words jieba's HMM makes of them."""

    def __init__(self, tokenizer):
        super().__init__()
        self.tokenizer, self.freq, self.total = tokenizer, tokenizer.FREQ, tokenizer.total
        self.logtotal = log(self.total)
        self.unknown = {}

    def __missing__(self, fragment):
        count = self.freq.get(fragment)
        value = _ABSENT if count is None else (log(count) - self.logtotal if count else None)
        if len(self) < MAX_CACHED:
            self[fragment] = value
        return value


_weights_of = {}


def _weights(tokenizer):
    found = _weights_of.get(id(tokenizer))
    if found is None or found.tokenizer is not tokenizer or found.total != tokenizer.total:
        found = _weights_of[id(tokenizer)] = _Weights(tokenizer)  # a new or changed dictionary
    return found


def _cut_block(block, weights, hmm_cut):
    """jieba's Tokenizer.__cut_DAG(block) as a list: the same floating-point sums, and the
    same choice between equal routes (the one ending last)."""
    size = len(block)
    score = [0.0] * (size + 1)
    end = [0] * (size + 1)
    for start in range(size - 1, -1, -1):
        best, best_end = None, start
        stop, fragment = start, block[start]
        while stop < size:
            weight = weights[fragment]
            if weight is _ABSENT:
                break  # no dictionary word begins with this fragment
            if weight is not None:
                value = weight + score[stop + 1]
                if best is None or value >= best:
                    best, best_end = value, stop
            stop += 1
            fragment = block[start : stop + 1]
        if best is None:  # no dictionary word starts here: the character alone, count 1
            best = 0.0 - weights.logtotal + score[start + 1]
        score[start], end[start] = best, best_end
    words, buffer, start = [], "", 0
    while start < size:
        stop = end[start] + 1
        if stop - start == 1:
            buffer += block[start]
        else:
            if buffer:
                words += _unknown(buffer, weights, hmm_cut)
                buffer = ""
            words.append(block[start:stop])
        start = stop
    if buffer:
        words += _unknown(buffer, weights, hmm_cut)
    return words


def _unknown(buffer, weights, hmm_cut):
    """Single characters in a row: jieba's HMM guesses the words they make."""
    if len(buffer) == 1:
        return [buffer]
    if weights.freq.get(buffer):
        return list(buffer)
    found = weights.unknown.get(buffer)
    if found is None:
        found = list(hmm_cut(buffer))
        if len(weights.unknown) < MAX_CACHED // 10:
            weights.unknown[buffer] = found
    return found


def plain_text(html_text):
    return html.unescape(strip_tags(html_text or ""))


def build_search_document(*, title, description, body):
    return segment_for_index(f"{title}\n{description}\n{plain_text(body)}")
