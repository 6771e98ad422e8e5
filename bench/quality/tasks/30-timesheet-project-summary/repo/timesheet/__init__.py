"""Freelancer timesheets: parse the daily log, add up the time."""
