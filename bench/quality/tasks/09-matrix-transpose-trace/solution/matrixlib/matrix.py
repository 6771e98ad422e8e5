"""Matrix: an immutable rows x cols grid of numbers.

Rows are stored as tuples. Operations return new matrices.
"""

from __future__ import annotations

from numbers import Number
from typing import Callable, Iterable, Iterator, Sequence

from matrixlib.errors import ShapeError


class Matrix:
    __slots__ = ("_rows", "_shape")

    def __init__(self, rows: Iterable[Sequence[float]]):
        data = tuple(tuple(row) for row in rows)
        if not data or not data[0]:
            raise ShapeError("a matrix needs at least one row and one column")
        width = len(data[0])
        for i, row in enumerate(data):
            if len(row) != width:
                raise ShapeError(f"row {i} has {len(row)} columns, expected {width}")
            for value in row:
                if not isinstance(value, Number) or isinstance(value, bool):
                    raise TypeError(f"matrix entries must be numbers, got {value!r}")
        self._rows = data
        self._shape = (len(data), width)

    # -- constructors -----------------------------------------------------------------

    @classmethod
    def zeros(cls, rows: int, cols: int) -> "Matrix":
        if rows < 1 or cols < 1:
            raise ShapeError("dimensions must be at least 1")
        return cls([[0] * cols for _ in range(rows)])

    @classmethod
    def filled(cls, rows: int, cols: int, value: float) -> "Matrix":
        if rows < 1 or cols < 1:
            raise ShapeError("dimensions must be at least 1")
        return cls([[value] * cols for _ in range(rows)])

    @classmethod
    def identity(cls, n: int) -> "Matrix":
        """The n x n identity matrix."""
        if n < 1:
            raise ShapeError("dimensions must be at least 1")
        return cls([[1 if i == j else 0 for j in range(n)] for i in range(n)])

    @classmethod
    def from_columns(cls, columns: Sequence[Sequence[float]]) -> "Matrix":
        if not columns:
            raise ShapeError("a matrix needs at least one column")
        height = len(columns[0])
        if any(len(c) != height for c in columns):
            raise ShapeError("columns have different lengths")
        return cls([[col[i] for col in columns] for i in range(height)])

    # -- shape and access ---------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    @property
    def rows(self) -> int:
        return self._shape[0]

    @property
    def cols(self) -> int:
        return self._shape[1]

    def is_square(self) -> bool:
        return self.rows == self.cols

    def __getitem__(self, index: tuple[int, int]) -> float:
        i, j = index
        return self._rows[i][j]

    def row(self, i: int) -> tuple[float, ...]:
        return self._rows[i]

    def column(self, j: int) -> tuple[float, ...]:
        return tuple(row[j] for row in self._rows)

    def __iter__(self) -> Iterator[tuple[float, ...]]:
        return iter(self._rows)

    def transpose(self) -> "Matrix":
        """Rows become columns: m x n -> n x m."""
        return Matrix([self.column(j) for j in range(self.cols)])

    def to_lists(self) -> list[list[float]]:
        return [list(row) for row in self._rows]

    # -- element-wise -------------------------------------------------------------------

    def map(self, func: Callable[[float], float]) -> "Matrix":
        return Matrix([[func(v) for v in row] for row in self._rows])

    def _same_shape(self, other: "Matrix", op: str) -> None:
        if not isinstance(other, Matrix):
            raise TypeError(f"cannot {op} Matrix and {type(other).__name__}")
        if other.shape != self.shape:
            raise ShapeError(
                f"cannot {op} {self.rows}x{self.cols} and {other.rows}x{other.cols} matrices"
            )

    def __add__(self, other: "Matrix") -> "Matrix":
        self._same_shape(other, "add")
        return Matrix([[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def __sub__(self, other: "Matrix") -> "Matrix":
        self._same_shape(other, "subtract")
        return Matrix([[a - b for a, b in zip(r1, r2)] for r1, r2 in zip(self._rows, other._rows)])

    def __neg__(self) -> "Matrix":
        return self.map(lambda v: -v)

    def scale(self, factor: float) -> "Matrix":
        return self.map(lambda v: v * factor)

    # -- products -------------------------------------------------------------------------

    def __matmul__(self, other: "Matrix") -> "Matrix":
        """Matrix product: (m x n) @ (n x p) -> (m x p)."""
        if not isinstance(other, Matrix):
            return NotImplemented
        if self.cols != other.rows:
            raise ShapeError(
                f"cannot multiply {self.rows}x{self.cols} by {other.rows}x{other.cols}"
            )
        columns = [other.column(j) for j in range(other.cols)]
        return Matrix(
            [[sum(a * b for a, b in zip(row, col)) for col in columns] for row in self._rows]
        )

    def __mul__(self, factor: float) -> "Matrix":
        if isinstance(factor, Matrix):
            raise TypeError("use @ for the matrix product")
        return self.scale(factor)

    __rmul__ = __mul__

    def power(self, n: int) -> "Matrix":
        """Repeated product of a square matrix with itself; n must be at least 1."""
        if not self.is_square():
            raise ShapeError("power requires a square matrix")
        if n < 1:
            raise ValueError("n must be at least 1")
        result = self
        for _ in range(n - 1):
            result = result @ self
        return result

    # -- determinant ------------------------------------------------------------------------

    def minor(self, i: int, j: int) -> "Matrix":
        """The matrix without row i and column j."""
        if self.rows < 2 or self.cols < 2:
            raise ShapeError("minor needs at least a 2x2 matrix")
        return Matrix(
            [[v for c, v in enumerate(row) if c != j] for r, row in enumerate(self._rows) if r != i]
        )

    def trace(self) -> float:
        """Sum of the main diagonal of a square matrix."""
        if not self.is_square():
            raise ShapeError(f"trace requires a square matrix, got {self.rows}x{self.cols}")
        return sum(self._rows[i][i] for i in range(self.rows))

    def determinant(self) -> float:
        """Laplace expansion along the first row (fine for the small sizes we use)."""
        if not self.is_square():
            raise ShapeError("determinant requires a square matrix")
        if self.rows == 1:
            return self._rows[0][0]
        if self.rows == 2:
            (a, b), (c, d) = self._rows
            return a * d - b * c
        return sum(
            (-1) ** j * self._rows[0][j] * self.minor(0, j).determinant()
            for j in range(self.cols)
        )

    # -- comparison and output ------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matrix):
            return NotImplemented
        return self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def almost_equal(self, other: "Matrix", tol: float = 1e-9) -> bool:
        if other.shape != self.shape:
            return False
        return all(
            abs(a - b) <= tol for r1, r2 in zip(self._rows, other._rows) for a, b in zip(r1, r2)
        )

    def __repr__(self) -> str:
        return f"Matrix({self.to_lists()!r})"

    def __str__(self) -> str:
        cells = [[f"{v:g}" for v in row] for row in self._rows]
        width = max(len(c) for row in cells for c in row)
        return "\n".join("[" + " ".join(c.rjust(width) for c in row) + "]" for row in cells)


def hstack(left: Matrix, right: Matrix) -> Matrix:
    """Place two matrices with the same number of rows side by side."""
    if left.rows != right.rows:
        raise ShapeError(f"cannot hstack {left.rows} rows with {right.rows} rows")
    return Matrix([a + b for a, b in zip(left, right)])


def vstack(top: Matrix, bottom: Matrix) -> Matrix:
    """Place two matrices with the same number of columns one above the other."""
    if top.cols != bottom.cols:
        raise ShapeError(f"cannot vstack {top.cols} columns with {bottom.cols} columns")
    return Matrix(list(top) + list(bottom))
