"""The editorial desk's writes: publishing, role checks, revisions and the article forms."""
