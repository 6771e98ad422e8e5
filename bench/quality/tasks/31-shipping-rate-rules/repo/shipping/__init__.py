"""Shipping costs for the web shop checkout."""
