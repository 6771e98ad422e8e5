"""Address book for the CRM: contacts, phone numbers, duplicates."""
