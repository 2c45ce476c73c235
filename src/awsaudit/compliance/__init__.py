"""Compliance frameworks as data (one YAML file per framework version) and their rollups."""
