#!/usr/bin/python3
"""Reference values for ClearMap 0.9.2's IO.toDataRange (range specs of read-volume's x/y/z params).

The function below is ClearMap's, with Python's `all` sentinel written as None. Run once:
  /usr/bin/python3 tools/io/clearmap_ranges.py > test/fixtures/io/to-data-range.json
"""
import itertools
import json


def to_data_range(size, r=None):
    # ClearMap/IO/IO.py toDataRange, verbatim apart from `all` -> None
    if r is None:
        return (0, size)
    if isinstance(r, int) or isinstance(r, float):
        r = (r, r + 1)
    if r[0] is None:
        r = (0, r[1])
    if r[0] < 0:
        if -r[0] > size:
            r = (0, r[1])
        else:
            r = (size + r[0], r[1])
    if r[0] > size:
        r = (size, r[1])
    if r[1] is None:
        r = (r[0], size)
    if r[1] < 0:
        if -r[1] > size:
            r = (r[0], 0)
        else:
            r = (r[0], size + r[1])
    if r[1] > size:
        r = (r[0], size)
    if r[0] > r[1]:
        r = (r[0], r[0])
    return r


values = [None, -40, -31, -30, -29, -5, -1, 0, 1, 5, 29, 30, 31, 40]
cases = [{'size': 30, 'range': None, 'expected': list(to_data_range(30, None))}]
for a, b in itertools.product(values, values):
    cases.append({'size': 30, 'range': [a, b], 'expected': list(to_data_range(30, (a, b)))})
print(json.dumps(cases))
