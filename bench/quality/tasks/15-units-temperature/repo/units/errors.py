"""Errors raised by unit conversion."""


class UnitError(ValueError):
    """Base class for unit errors."""


class UnknownUnitError(UnitError):
    def __init__(self, unit: str):
        super().__init__(f"unknown unit: {unit}")
        self.unit = unit


class IncompatibleUnitsError(UnitError):
    def __init__(self, source: str, target: str):
        super().__init__(f"cannot convert {source} to {target}")
        self.source = source
        self.target = target
