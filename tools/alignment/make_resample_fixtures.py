#!/usr/bin/python3
"""Reference values for the alignment resampling tests (run once with Debian's /usr/bin/python3).

Independent of our kernels: scipy.ndimage.zoom with grid_mode=True uses the same pixel-centre mapping
as cv2.resize (src = (dst + 0.5) * n / m - 0.5); mode='nearest' replicates the edge as cv2 does;
order=1 is (multi)linear, order=0 nearest. The orientation is applied as ClearMap's resampleData does:
transpose(permutation), then reverse the axes with a negative sign. Arrays are [x, y, z] (ClearMap's
layout) and are stored flattened with x fastest (order='F'), the engine's memory order.

Writes test/fixtures/alignment/resample-scipy.json.
"""
import json, math, os
import numpy as np
import scipy
from scipy import ndimage

rng = np.random.default_rng(20261125)
cases = []
orientations = {
    'identity': (1, 2, 3),
    'flip': (-1, 2, -3),
    'permutation': (2, 3, 1),
    'flip+permutation': (-3, 1, -2),
}
# (source shape, source resolution, sink resolution in result axes) chosen to up- and down-sample
setups = [
    ((9, 7, 6), (2.0, 3.0, 5.0), (5.0, 2.5, 4.0)),
    ((11, 8, 5), (1.0, 1.0, 2.0), (3.5, 0.7, 3.0)),
]
for name, o in orientations.items():
    for k, (shape, res_src, res_sink) in enumerate(setups):
        for order, interp in ((1, 'linear'), (0, 'nearest')):
            data = rng.random(shape) * 1000.0
            per = [abs(v) - 1 for v in o]
            res_src_o = [res_src[p] for p in per]
            shape_o = [shape[p] for p in per]
            sink_shape = [int(math.ceil(shape_o[i] * res_src_o[i] / res_sink[i])) for i in range(3)]
            inv = [0, 0, 0]
            for i, p in enumerate(per):
                inv[p] = sink_shape[i]
            zoomed = ndimage.zoom(data, [inv[i] / shape[i] for i in range(3)], order=order, mode='nearest', grid_mode=True)
            assert list(zoomed.shape) == inv, (zoomed.shape, inv)
            out = zoomed.transpose(per)
            for i in range(3):
                if o[i] < 0:
                    out = np.flip(out, axis=i)
            cases.append({
                'name': f'{name} setup{k} {interp}',
                'orientation': list(o), 'interpolation': interp,
                'sourceShape': list(shape), 'sourceResolution': list(res_src), 'sinkResolution': list(res_sink),
                'sinkShape': sink_shape,
                'source': [round(float(v), 6) for v in data.flatten(order='F')],
                'expected': [float(v) for v in out.flatten(order='F')],
            })

out_path = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'alignment', 'resample-scipy.json')
# the stored source is rounded to 6 decimals; recompute expected from the rounded values for exactness
for c in cases:
    src = np.array(c['source']).reshape(c['sourceShape'], order='F')
    o = c['orientation']; per = [abs(v) - 1 for v in o]
    inv = [0, 0, 0]
    for i, p in enumerate(per):
        inv[p] = c['sinkShape'][i]
    z = ndimage.zoom(src, [inv[i] / src.shape[i] for i in range(3)], order=1 if c['interpolation'] == 'linear' else 0, mode='nearest', grid_mode=True)
    z = z.transpose(per)
    for i in range(3):
        if o[i] < 0:
            z = np.flip(z, axis=i)
    c['expected'] = [round(float(v), 9) for v in z.flatten(order='F')]
with open(out_path, 'w') as f:
    json.dump({'generator': 'tools/alignment/make_resample_fixtures.py', 'scipy': scipy.__version__, 'cases': cases}, f)
print('wrote', out_path, len(cases), 'cases', os.path.getsize(out_path), 'bytes')
