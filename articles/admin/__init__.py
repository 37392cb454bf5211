from articles.admin.content import *  # noqa: F403
