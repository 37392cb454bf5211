"""What an import did, file by file: the report import_site() returns (docs/HUGO.md)."""

from dataclasses import asdict, dataclass, field


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # {"file", "error"}
    warnings: list = field(default_factory=list)  # {"file", "message"}
    redirects: int = 0
    # Portal content (articles/hugo/portal.py): files written as channels or ads by this run
    # (unchanged ones are not listed, as redirects), and menu items created or changed.
    channels: list = field(default_factory=list)
    ads: list = field(default_factory=list)
    menu_items: int = 0

    def as_dict(self):
        return asdict(self)

    def counts(self):
        return {k: (v if isinstance(v, int) else len(v)) for k, v in asdict(self).items()}

    def warn(self, file, message):
        self.warnings.append({"file": file, "message": message})

    def skip(self, file, reason):
        """A file not imported; its reason is a warning on that file."""
        self.skipped.append(file)
        self.warn(file, reason)

    def skip_reasons(self):
        """reason -> the skipped files it was given for, in order (for the summary)."""
        skipped, reasons = set(self.skipped), {}
        for warning in self.warnings:
            if warning["file"] in skipped:
                reasons.setdefault(warning["message"], []).append(warning["file"])
                skipped.discard(warning["file"])
        if skipped:
            reasons["no reason recorded"] = sorted(skipped)
        return reasons
