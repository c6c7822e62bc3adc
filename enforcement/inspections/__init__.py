"""Inspections (行政检查): the object directory, double-random spot checks, inspection records, joint visits."""
