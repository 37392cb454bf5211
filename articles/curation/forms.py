"""Admin forms for placements and proposals.

They check the rules of articles.curation.rules, so the admin shows a refusal next to the right
field; the services check the same rules again when the admin saves.
"""

from django import forms

from articles.curation import rules
from articles.models import Placement, PlacementProposal

WINDOW = ("starts_at", "ends_at")


def _window(form):
    """The cleaned window, or None when a time did not parse (its field shows why)."""
    if any(form.has_error(name) for name in WINDOW):
        return None
    return {name: form.cleaned_data.get(name) for name in WINDOW}


class PlacementAdminForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["slot", "article", "position", "starts_at", "ends_at", "queued"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:  # slot and article are read-only once placed
            slot, article = self.instance.slot, self.instance.article
        else:
            slot, article = cleaned.get("slot"), cleaned.get("article")
        window = _window(self)
        if window is None:
            return cleaned
        if slot and article:
            placement = self.instance if self.instance.pk else None
            rules.check_placement(
                slot=slot,
                article=article,
                placement=placement,
                queued=cleaned.get("queued", False),
                **window,
            )
        else:
            rules.check_window(**window)
        return cleaned


class PlacementProposalForm(forms.ModelForm):
    class Meta:
        model = PlacementProposal
        fields = ["slot", "article", "starts_at", "ends_at", "note"]

    def clean(self):
        cleaned = super().clean()
        slot, article = cleaned.get("slot"), cleaned.get("article")
        window = _window(self)
        if window is None:
            return cleaned
        if slot and article:
            rules.check_proposal(slot=slot, article=article, **window)
        else:
            rules.check_window(**window)
        return cleaned
