"""Sales figures: load CSV exports and format them."""
