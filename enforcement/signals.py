"""Signal receivers. Kept empty on purpose: state changes go through services."""
