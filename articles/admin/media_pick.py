"""The article form and the media library: a featured image picked from the library, and every
featured image uploaded through the form registered in it (same bytes: the library's file).

`FeaturedFromLibraryForm` adds the hidden `library_image` field (the picker sets it, see
static/js/media-picker.js); `MediaLibraryArticleAdminMixin` registers what the form stored and
loads the picker's script.
"""

from django import forms
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from articles.media.library import sha256_of
from articles.models import Article, MediaImage
from articles.models.media import register_stored

PICKER_URL = reverse_lazy("admin:articles_mediaimage_picker")


class PickedImageInput(forms.HiddenInput):
    """The hidden id, and the picked image's URL and name when a form refused for another reason
    is shown again (the script shows the pick again)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        picked = MediaImage.objects.filter(pk=value).first() if str(value).isdigit() else None
        if picked is not None:
            context["widget"]["attrs"] |= {
                "data-chosen-url": picked.url,
                "data-chosen-name": picked,
            }
        return context


class FeaturedFromLibraryForm(forms.Form):
    library_image = forms.ModelChoiceField(
        queryset=MediaImage.objects.all(),
        required=False,
        label=_("从媒体库选择题图"),
        widget=PickedImageInput(
            attrs={
                "data-media-picker": PICKER_URL,
                "data-featured-label": _("从媒体库选择题图"),
                "data-body-label": _("插入媒体库图片"),
                "data-chosen-label": _("已选："),
            }
        ),
    )

    def clean(self):
        chosen = self.cleaned_data.get("library_image")
        image = self.cleaned_data.get("featured_image")
        self.library_upload_name = ""
        if image and not isinstance(image, FieldFile):  # a new upload, re-encoded
            upload = self.files.get(self.add_prefix("featured_image"))
            self.library_upload_name = getattr(upload, "name", "")
            chosen = MediaImage.objects.filter(sha256=sha256_of(image)).first()
            if chosen is not None and not default_storage.exists(chosen.file.name):
                chosen = None
        if chosen is not None:
            field = Article._meta.get_field("featured_image")
            self.cleaned_data["featured_image"] = field.attr_class(
                self.instance, field, chosen.file.name
            )
            for name, value in (
                ("featured_image_alt", chosen.alt),
                ("featured_image_caption", chosen.caption),
            ):
                if name in self.fields and not (self.cleaned_data.get(name) or "").strip():
                    self.cleaned_data[name] = value
        return super().clean()


class MediaLibraryArticleAdminMixin:
    """For ArticleAdmin: the picker's script, and the featured image registered after a save."""

    @property
    def media(self):
        picker = forms.Media(js=["js/media-picker.js"], css={"all": ["css/media-library.css"]})
        return super().media + picker

    def get_fieldsets(self, request, obj=None):
        """Without the right to change the article (a read-only view) there is nothing to pick."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "library_image"]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.featured_image and "featured_image" in form.changed_data:
            register_stored(
                obj.featured_image.name,
                uploaded_by=request.user,
                original_name=getattr(form, "library_upload_name", ""),
                alt=obj.featured_image_alt,
                caption=obj.featured_image_caption,
            )
