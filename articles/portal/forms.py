"""The article form's typed fields: one real form field per field its section declares.

The fields depend on the section, so they are made when the form is: `field__<key>`, typed by
the field's kind, checked by `coerce_value()` and written into `Article.fields` on save. The
admin asks `section_field_names()` for the same names to lay them out.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.models import SectionField
from articles.portal.fields import coerce_value, fields_by_section, stored_values

Kind = SectionField.Kind
PREFIX = "field__"

_YESNO_CHOICES = [("", _("未设置")), ("yes", _("是")), ("no", _("否"))]
_HELP = {
    Kind.URL: _("以 http:// 或 https:// 开头的完整网址。"),
    Kind.NUMBER: _("整数或小数，例如 7 或 7.5。"),
    Kind.WORDS: _("多个词语用逗号或顿号分隔。"),
}
SECTION_HELP = _("栏目字段由所选栏目决定：更换栏目并保存后，这里显示新栏目的字段。")


def form_field_name(field):
    return f"{PREFIX}{field.key}"


def _section_id(raw):
    if hasattr(raw, "pk"):
        return raw.pk
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def chosen_section_id(*, data=None, initial=None, instance=None, prefix=None):
    """The section whose fields the form shows: the one posted (the editor may have changed
    it), else the initial one (an add form opened with ?section=), else the article's."""
    name = f"{prefix}-section" if prefix else "section"
    if data is not None:
        return _section_id(data.get(name))
    if initial and initial.get("section"):
        return _section_id(initial["section"])
    return getattr(instance, "section_id", None)


def section_fields(section_id, *, request=None):
    if section_id is None:
        return []
    return fields_by_section(request).get(section_id, [])


def section_field_names(*, data=None, initial=None, instance=None, request=None):
    """The form field names the form made from these will have, in order."""
    section_id = chosen_section_id(data=data, initial=initial, instance=instance)
    return [form_field_name(field) for field in section_fields(section_id, request=request)]


def _shown(value):
    """A stored or posted value as the editor reads and types it."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class SectionValueField(forms.Field):
    """A form field for one SectionField: the posted text is kept as typed and checked by
    `coerce_value()`, so an error shows next to the editor's own text."""

    def __init__(self, *, section_field, stored=None, **kwargs):
        self.section_field = section_field
        kind = section_field.kind
        help_text = _HELP.get(kind, "")
        if kind == Kind.YESNO:
            choices = list(_YESNO_CHOICES)
            if stored is not None and _shown(stored) not in ("yes", "no"):
                # Kept selectable so an invalid stored value is refused, not silently dropped.
                choices.append((_shown(stored), _("无效的值：%(value)s") % {"value": stored}))
            widget = forms.Select(choices=choices)
        elif kind == Kind.URL:
            widget = forms.URLInput(attrs={"class": "vURLField"})
        elif kind == Kind.NUMBER:
            # Not type=number: a browser would send "" for text it cannot read as a number.
            widget = forms.TextInput(attrs={"class": "vIntegerField", "inputmode": "decimal"})
        else:
            widget = forms.TextInput(attrs={"class": "vTextField"})
        key_note = _("键：%(key)s") % {"key": section_field.key}
        super().__init__(
            required=False,
            label=section_field.display_label,
            widget=widget,
            help_text=f"{help_text} {key_note}".strip(),
            **kwargs,
        )

    def prepare_value(self, value):
        return _shown(value)

    def bound_data(self, data, initial):
        # A field the form did not post (the section was just changed) shows what is stored.
        return initial if data is None else data

    def clean(self, value):
        return coerce_value(self.section_field, value)

    def has_changed(self, initial, data):
        if data is None:
            return False
        try:
            return coerce_value(self.section_field, data) != coerce_value(
                self.section_field, initial
            )
        except ValidationError:
            return True


class SectionFieldsFormMixin:
    """For the article's ModelForm: adds the fields of the article's section (see module doc).

    Values of keys the section does not declare stay in `Article.fields` untouched; so does a
    declared value the form did not post."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "section" in self.fields:
            section = self.fields["section"]
            section.help_text = f"{section.help_text} {SECTION_HELP}".strip()
        section_id = chosen_section_id(
            data=self.data if self.is_bound and "section" in self.fields else None,
            initial=self.initial,
            instance=self.instance,
            prefix=self.prefix,
        )
        stored = stored_values(self.instance)
        self.section_value_fields = {}
        for field in section_fields(section_id):
            name = form_field_name(field)
            value = stored.get(field.key)
            self.fields[name] = SectionValueField(section_field=field, stored=value)
            self.initial.setdefault(name, value)
            self.section_value_fields[name] = field

    def section_field_values(self):
        """`Article.fields` as the form would save it."""
        values = dict(stored_values(self.instance))
        for name, field in self.section_value_fields.items():
            if self[name].data is None or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if value is None:
                values.pop(field.key, None)
            else:
                values[field.key] = value
        return values

    def save(self, commit=True):
        self.instance.fields = self.section_field_values()
        return super().save(commit)
