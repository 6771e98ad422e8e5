"""Helpers shared by the admin web pages."""
