# Helpers for the tests' IR generators (*.ir.gen.py import it from this folder).
import random


def const(name, dims):
    """An f32 constant of shape dims with uniform random values in [-1, 1) (4 decimals)."""
    n = 1
    for d in dims:
        n *= d
    vals = ", ".join("%.4f" % random.uniform(-1, 1) for _ in range(n))
    return "  const %%%s : f32[%s] = [%s]" % (name, ",".join(map(str, dims)), vals)
