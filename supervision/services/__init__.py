"""Every write of case-file review (plans, draws, scores, rectification)."""
