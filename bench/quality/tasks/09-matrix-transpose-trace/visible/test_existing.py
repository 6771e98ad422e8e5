"""Existing tests: behaviour the Matrix type already has (unchanged by the plan)."""

import pytest

from matrixlib import Matrix, ShapeError
from matrixlib.matrix import hstack, vstack


def test_construction_shape_and_access():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    assert m.shape == (2, 3) and m.rows == 2 and m.cols == 3
    assert not m.is_square()
    assert m[1, 2] == 6
    assert m.row(0) == (1, 2, 3)
    assert m.column(1) == (2, 5)
    assert list(m) == [(1, 2, 3), (4, 5, 6)]
    assert m.to_lists() == [[1, 2, 3], [4, 5, 6]]


def test_construction_errors():
    with pytest.raises(ShapeError):
        Matrix([])
    with pytest.raises(ShapeError) as info:
        Matrix([[1, 2], [3]])
    assert str(info.value) == "row 1 has 1 columns, expected 2"
    with pytest.raises(TypeError):
        Matrix([[True]])


def test_class_constructors():
    assert Matrix.zeros(2, 2) == Matrix([[0, 0], [0, 0]])
    assert Matrix.filled(1, 3, 7) == Matrix([[7, 7, 7]])
    assert Matrix.from_columns([[1, 2], [3, 4]]) == Matrix([[1, 3], [2, 4]])
    with pytest.raises(ShapeError) as info:
        Matrix.zeros(0, 2)
    assert str(info.value) == "dimensions must be at least 1"


def test_elementwise_operations():
    a = Matrix([[1, 2], [3, 4]])
    b = Matrix([[10, 20], [30, 40]])
    assert a + b == Matrix([[11, 22], [33, 44]])
    assert b - a == Matrix([[9, 18], [27, 36]])
    assert -a == Matrix([[-1, -2], [-3, -4]])
    assert 2 * a == a.scale(2) == Matrix([[2, 4], [6, 8]])
    with pytest.raises(ShapeError) as info:
        a + Matrix([[1, 2, 3]])
    assert str(info.value) == "cannot add 2x2 and 1x3 matrices"


def test_matrix_product_and_power():
    a = Matrix([[1, 2, 3], [4, 5, 6]])
    b = Matrix([[1], [0], [2]])
    assert a @ b == Matrix([[7], [16]])
    with pytest.raises(ShapeError):
        b @ a
    sq = Matrix([[1, 1], [1, 0]])
    assert sq.power(5) == Matrix([[8, 5], [5, 3]])
    with pytest.raises(ShapeError):
        a.power(2)


def test_determinant_and_minor():
    m = Matrix([[2, 0, 1], [1, 3, 2], [1, 1, 2]])
    assert m.minor(0, 0) == Matrix([[3, 2], [1, 2]])
    assert m.determinant() == 6
    assert Matrix([[5]]).determinant() == 5
    with pytest.raises(ShapeError):
        Matrix([[1, 2]]).determinant()


def test_equality_hash_and_output():
    a = Matrix([[1.5, 2], [3, 4]])
    assert a == Matrix([(1.5, 2), (3, 4)])
    assert hash(a) == hash(Matrix([[1.5, 2], [3, 4]]))
    assert a.almost_equal(Matrix([[1.5 + 1e-12, 2], [3, 4]]))
    assert repr(a) == "Matrix([[1.5, 2], [3, 4]])"
    assert str(a) == "[1.5   2]\n[  3   4]"


def test_stacking():
    a = Matrix([[1], [2]])
    assert hstack(a, a) == Matrix([[1, 1], [2, 2]])
    assert vstack(a, a) == Matrix([[1], [2], [1], [2]])
    with pytest.raises(ShapeError):
        hstack(a, Matrix([[1]]))
