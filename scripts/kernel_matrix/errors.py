"""The one exception type of the matrix: a message naming the thing that failed and why."""


class MatrixError(Exception):
    pass
