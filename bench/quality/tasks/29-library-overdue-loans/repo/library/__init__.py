"""Loans desk of a small public library."""
