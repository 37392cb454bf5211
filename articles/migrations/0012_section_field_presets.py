"""The typed fields of the old site's game and directory sections, for the sections already
there (articles.portal.fields.ensure_preset_fields adds them to sections made later).

A copy of articles.portal.fields.PRESETS: migrations must not import app code.
"""

from django.db import migrations

# (key, label, English label, kind, display, position, filterable, sortable)
PRESETS = {
    "games": [
        ("score", "评分", "Score", "number", "facts", 10, False, True),
        ("status", "状态", "Status", "text", "facts", 20, True, False),
        ("blockchain", "区块链", "Blockchain", "words", "facts", 30, True, False),
        ("nft_support", "支持 NFT", "NFT support", "yesno", "facts", 40, False, False),
        ("free_to_play", "免费游玩", "Free to play", "yesno", "facts", 50, False, False),
        ("play_to_earn", "边玩边赚", "Play to earn", "yesno", "facts", 60, False, False),
        ("website", "官网", "Website", "url", "links", 100, False, False),
        ("twitter", "Twitter", "Twitter", "url", "links", 110, False, False),
        ("discord", "Discord", "Discord", "url", "links", 120, False, False),
        ("telegram", "Telegram", "Telegram", "url", "links", 130, False, False),
        ("github", "GitHub", "GitHub", "url", "links", 140, False, False),
        ("youtube", "YouTube", "YouTube", "url", "links", 150, False, False),
        ("twitch", "Twitch", "Twitch", "url", "links", 160, False, False),
        ("facebook", "Facebook", "Facebook", "url", "links", 170, False, False),
        ("instagram", "Instagram", "Instagram", "url", "links", 180, False, False),
        ("reddit", "Reddit", "Reddit", "url", "links", 190, False, False),
        ("medium", "Medium", "Medium", "url", "links", 200, False, False),
        ("steam", "Steam", "Steam", "url", "links", 210, False, False),
        ("gitbook", "GitBook", "GitBook", "url", "links", 220, False, False),
        ("googleplay", "Google Play", "Google Play", "url", "links", 230, False, False),
        ("appstore", "App Store", "App Store", "url", "links", 240, False, False),
    ],
    "navigation": [
        ("link", "访问站点", "Visit site", "url", "button", 0, False, False),
    ],
}


def preset_rows(slug):
    """{key: the column values} of the preset fields of a section with this slug."""
    return {
        key: {
            "label": label,
            "translations": {"en": {"label": en_label}},
            "kind": kind,
            "display": display,
            "position": position,
            "filterable": filterable,
            "sortable": sortable,
        }
        for key, label, en_label, kind, display, position, filterable, sortable in PRESETS.get(
            slug, []
        )
    }


def add_presets(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    SectionField = apps.get_model("articles", "SectionField")
    for section in Section.objects.filter(slug__in=list(PRESETS)):
        existing = set(SectionField.objects.filter(section=section).values_list("key", flat=True))
        SectionField.objects.bulk_create(
            SectionField(section=section, key=key, **columns)
            for key, columns in preset_rows(section.slug).items()
            if key not in existing
        )


def remove_presets(apps, schema_editor):
    """Remove the preset fields still as this migration made them; edited ones stay."""
    Section = apps.get_model("articles", "Section")
    SectionField = apps.get_model("articles", "SectionField")
    for section in Section.objects.filter(slug__in=list(PRESETS)):
        presets = preset_rows(section.slug)
        for field in SectionField.objects.filter(section=section, key__in=list(presets)):
            columns = presets[field.key]
            if all(getattr(field, name) == value for name, value in columns.items()):
                field.delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_ad_spots")]

    operations = [migrations.RunPython(add_presets, remove_presets)]
