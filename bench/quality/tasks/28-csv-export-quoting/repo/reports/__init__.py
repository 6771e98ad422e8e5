"""Customer and order reports for the back office."""
