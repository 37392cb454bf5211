"""articles.text.segment.cut_for_search() is jieba's cut_for_search(), token for token: the
search document and the search terms of every article depend on it."""

import random

import pytest

from articles.text import segment
from tests.hugo_sites import SHARED

pytestmark = pytest.mark.once  # no database: make test only

CORPUS = SHARED / "hugo-corpus"

# Every kind of character jieba treats apart: Chinese, the Latin letters, digits and signs it
# keeps inside a word (+#&._%-), whitespace and \r\n, Chinese and other punctuation, letters of
# other scripts (cut one by one).
ALPHABET = (
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下"
    "而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女"
    "元宇宙峰会浦东软件园记者获悉产业规模亿元培育国际竞争力创新型头部企业"
    "abcXYZ019+#&._%- \n\t\r，。！？、；：“”（）《》éü日本語한국어"
)


def _texts():
    rng = random.Random(7)
    texts = [
        "",
        " ",
        "\r\n",
        "元宇宙",
        "上海在元宇宙赛道率先起跑。昨天，以“感知·消费·互联”为主题的峰会",
    ]
    texts += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 300))) for _ in range(800)]
    if CORPUS.is_dir():
        pages = sorted(CORPUS.rglob("*.md"))
        texts += [page.read_text(encoding="utf-8", errors="replace") for page in pages[::4]]
    return texts


def test_the_same_tokens_as_jieba():
    jieba = segment.jieba()
    for text in _texts() + ["ΟΔΟΣ ΟΔΟΣ·ΟΔΟΣ", "İstanbul ΣΑΣ_Σ Σ"]:
        tokens = list(jieba.cut_for_search(text))
        assert segment.cut_for_search(text) == tokens, text[:80]
        # segment_for_index() as it was written: each word lowercased alone
        words = " ".join(piece.lower() for piece in segment.WORD.findall(" ".join(tokens)))
        assert segment.segment_for_index(text) == words, text[:80]


@pytest.mark.parametrize(
    "names", [["资讯", "元宇宙", "标签 1", "Web3"], ["C++", "", "张三丰"], ["a\r", "\nb"]]
)
def test_names_segmented_one_by_one_are_the_names_segmented_together(names):
    """articles.hugo.rows.SearchTerms relies on it."""
    alone = [segment.segment_for_index(name) for name in names]
    assert " ".join(words for words in alone if words) == segment.segment_for_index(
        "\n".join(names)
    )
