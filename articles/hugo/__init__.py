"""Hugo import and export: bring a Hugo site's content in, write the newsroom back out."""
