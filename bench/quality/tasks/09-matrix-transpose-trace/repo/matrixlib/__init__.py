"""Small dense matrices of numbers, in pure Python."""

from matrixlib.errors import ShapeError
from matrixlib.matrix import Matrix

__all__ = ["Matrix", "ShapeError"]
