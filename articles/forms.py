from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .images import clean_image
from .models import Article, Author


def _reencoded(field_file):
    """Re-encode a freshly uploaded image (existing files were checked when they came in)."""
    if field_file and hasattr(field_file, "content_type"):
        return clean_image(field_file)
    return field_file


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        exclude = ["tags"]

    def clean_featured_image(self):
        return _reencoded(self.cleaned_data.get("featured_image"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("featured_image") and not (cleaned.get("featured_image_alt") or "").strip():
            self.add_error(
                "featured_image_alt", ValidationError(_("设置了题图时必须填写替代文字。"))
            )
        return cleaned


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = "__all__"

    def clean_avatar(self):
        return _reencoded(self.cleaned_data.get("avatar"))
