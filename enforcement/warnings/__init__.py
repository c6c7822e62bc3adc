"""Warning-first enforcement (预警执法 / 轻微违法告知承诺制): the county's warning list, warnings and re-checks."""
