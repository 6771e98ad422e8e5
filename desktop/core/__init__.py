"""The Qt-free plan-to-code workflow."""
