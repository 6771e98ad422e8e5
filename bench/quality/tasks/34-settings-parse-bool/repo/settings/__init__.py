"""Service settings read from environment variables."""
