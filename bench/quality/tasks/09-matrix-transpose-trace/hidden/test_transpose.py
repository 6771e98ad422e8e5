import pytest

from matrixlib import Matrix, ShapeError
from matrixlib.matrix import hstack


def test_transpose():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    t = m.transpose()
    assert t == Matrix([[1, 4], [2, 5], [3, 6]])
    assert t.shape == (3, 2)
    assert m == Matrix([[1, 2, 3], [4, 5, 6]])
    assert t.transpose() == m


def test_transpose_row_vector():
    assert Matrix([[1, 2, 3]]).transpose() == Matrix([[1], [2], [3]])


def test_identity():
    assert Matrix.identity(1) == Matrix([[1]])
    i3 = Matrix.identity(3)
    assert i3 == Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    m = Matrix([[2, 3, 4], [5, 6, 7], [8, 9, 1]])
    assert m @ i3 == m and i3 @ m == m
    assert isinstance(i3, Matrix)


def test_identity_bad_size():
    for n in (0, -2):
        with pytest.raises(ShapeError, match="^dimensions must be at least 1$"):
            Matrix.identity(n)


def test_trace():
    assert Matrix([[1, 2], [3, 4]]).trace() == 5
    assert Matrix([[5]]).trace() == 5
    assert Matrix([[1.5, 0, 0], [0, 2, 0], [0, 0, -1]]).trace() == pytest.approx(2.5)


def test_trace_not_square():
    with pytest.raises(ShapeError) as exc:
        Matrix([[1, 2, 3], [4, 5, 6]]).trace()
    assert str(exc.value) == "trace requires a square matrix, got 2x3"
    with pytest.raises(ShapeError) as exc:
        Matrix([[1], [2]]).trace()
    assert str(exc.value) == "trace requires a square matrix, got 2x1"


def test_existing_behaviour_unchanged():
    a = Matrix([[1, 2], [3, 4]])
    assert a @ Matrix([[0, 1], [1, 0]]) == Matrix([[2, 1], [4, 3]])
    assert a.determinant() == -2
    assert (a + a) == a * 2
    assert hstack(a, a).shape == (2, 4)
    with pytest.raises(ShapeError):
        a @ Matrix([[1, 2, 3]])
