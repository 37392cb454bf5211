"""Curation: the placement rules (rules.py), the services that apply them and the forms."""
