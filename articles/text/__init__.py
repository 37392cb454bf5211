"""Text derived from what editors write: sanitised HTML, pinyin slugs, jieba words, reading time.

Imports nothing else from the project."""
