#!/usr/bin/python3
"""Writes the .npy fixtures of tests/test_npy.cpp with numpy itself (python3-numpy), so
the reader is tested against files numpy wrote, not against nmtx's own writer.

    /usr/bin/python3 tests/data/npy/make_fixtures.py   # rewrites tests/data/npy/*.npy

Every array is np.arange(n, dtype='<f4') / 4 in the given shape."""
import io
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def values(shape):
    return (np.arange(int(np.prod(shape, dtype=np.int64)), dtype="<f4") / 4).reshape(shape)


def write(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


for version in [(1, 0), (2, 0), (3, 0)]:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, values((2, 3)), version=version)
    write(f"v{version[0]}.npy", buf.getvalue())

for name, shape in [("scalar.npy", ()), ("rank1.npy", (5,)), ("rank4.npy", (1, 2, 3, 2)), ("empty.npy", (0, 3))]:
    buf = io.BytesIO()
    np.save(buf, values(shape))
    write(name, buf.getvalue())

# A version-1 header of 182 bytes (its length's high bit set in the low byte): numpy pads
# headers with spaces and reads any amount of padding. nmtx once read the length with a
# sign-extended shift and refused this file.
dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
header = dictionary + " " * (182 - len(dictionary) - 1) + "\n"
data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + values((2, 3)).tobytes()
assert np.array_equal(np.load(io.BytesIO(data)), values((2, 3))), "numpy must read the padded file"
write("v1_header_182.npy", data)

print("wrote", sorted(f for f in os.listdir(here) if f.endswith(".npy")))
