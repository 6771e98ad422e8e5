"""Greenhouse sensor readings: parsing and simple statistics for the dashboard."""
