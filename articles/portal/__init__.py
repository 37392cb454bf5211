"""The portal around the articles: typed section fields, channels, menus (models in
articles.models.portal; ads live with the rest of curation)."""
