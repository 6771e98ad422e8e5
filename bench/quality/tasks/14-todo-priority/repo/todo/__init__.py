"""A command-line to-do list stored in a JSON file."""
