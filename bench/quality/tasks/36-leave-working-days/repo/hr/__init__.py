"""Holiday (annual leave) tracking for the staff portal."""
