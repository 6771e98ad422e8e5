"""The web shop's cart and pricing rules (amounts are integer cents)."""
