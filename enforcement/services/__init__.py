"""Writes of the enforcement core, one module per subject (STYLE.md practice 1)."""
