"""Spreadsheet importers and exporters of the enforcement core."""
