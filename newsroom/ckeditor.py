"""CKEditor 5's configuration for the article body (settings.CKEDITOR_5_CONFIGS["default"])."""

CKEDITOR_DEFAULT = {
    "language": "zh-cn",
    "toolbar": {
        # No mediaEmbed button: bodies keep no players. A media embed that still arrives
        # (a pasted video URL) is saved as a plain link, as the import writes its videos.
        "items": [
            "heading",
            "|",
            "bold",
            "italic",
            "strikethrough",
            "link",
            "|",
            "bulletedList",
            "numberedList",
            "blockQuote",
            "insertTable",
            "|",
            "imageUpload",
            "code",
            "codeBlock",
            "|",
            "removeFormat",
            "sourceEditing",
            "undo",
            "redo",
        ],
        "shouldNotGroupWhenFull": True,
    },
    "heading": {
        "options": [
            {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
            {
                "model": "heading2",
                "view": "h2",
                "title": "Heading 2",
                "class": "ck-heading_heading2",
            },
            {
                "model": "heading3",
                "view": "h3",
                "title": "Heading 3",
                "class": "ck-heading_heading3",
            },
            {
                "model": "heading4",
                "view": "h4",
                "title": "Heading 4",
                "class": "ck-heading_heading4",
            },
        ]
    },
    "image": {
        "toolbar": [
            "imageTextAlternative",
            "toggleImageCaption",
            "|",
            "imageStyle:alignLeft",
            "imageStyle:alignCenter",
            "imageStyle:alignRight",
        ],
        "styles": ["alignLeft", "alignCenter", "alignRight"],
    },
    "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
    "link": {"addTargetToExternalLinks": True},
    # The click-to-load video placeholder the Hugo import writes (articles/hugo/shortcodes.py)
    # survives an editor's save; the sanitiser still checks its provider and id.
    "htmlSupport": {
        "allow": [
            {
                "name": "div",
                "classes": ["video-embed"],
                "attributes": {"data-embed": True, "data-embed-id": True, "data-embed-page": True},
            },
            {"name": "span", "classes": ["video-play", "video-title", "video-provider"]},
            {"name": "a", "classes": ["video-link"]},
        ]
    },
}
