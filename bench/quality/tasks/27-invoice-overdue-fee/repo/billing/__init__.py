"""Invoices, payments and reminders for the small-business billing tool."""
