"""Images: intake and re-encoding of uploads, the editor's upload endpoint, and renditions.

Imports nothing else from the project; making renditions is an explicit step
(renditions.make_article_renditions), never a side effect of saving an article."""
