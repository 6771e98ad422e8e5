class ShapeError(ValueError):
    """Matrix dimensions do not fit the operation."""
