#!/usr/bin/python3
"""Reference heat maps from a line-by-line Python port of ClearMap 0.9.2's VoxelizationCode.pyx
(voxelizeSphere / voxelizeRectangle, with and without weights; float32 arithmetic where the Cython
declares `cdef float`). The grid has X == Y so ClearMap's y-clipping bug (it clips y against xsize)
does not change the result. Run once: /usr/bin/python3 tools/analysis/make-voxelize-fixtures.py
"""
import json, os
import numpy as np

rng = np.random.default_rng(6)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'analysis', 'voxelize.json')

def sphere(points, xsize, ysize, zsize, xdiam, ydiam, zdiam, weights=None):
    vox = np.zeros((xsize, ysize, zsize), dtype=np.float64 if weights is not None else np.int32)
    f = np.float32
    xd2 = f((xdiam - 1) * (xdiam - 1) / 4); yd2 = f((ydiam - 1) * (ydiam - 1) / 4); zd2 = f((zdiam - 1) * (zdiam - 1) / 4)
    offs = []
    for x in range(int(-xdiam / 2 + 1), int(xdiam / 2 + 1)):
        for y in range(int(-ydiam / 2 + 1), int(ydiam / 2 + 1)):
            for z in range(int(-zdiam / 2 + 1), int(zdiam / 2 + 1)):
                if x * x / xd2 + y * y / yd2 + z * z / zd2 < 1:
                    offs.append((x, y, z))
    for i in range(points.shape[0]):
        cx0, cy0, cz0 = f(points[i, 0]), f(points[i, 1]), f(points[i, 2])
        for (x, y, z) in offs:
            cxf = f(cx0 + f(x)); cyf = f(cy0 + f(y)); czf = f(cz0 + f(z))
            if 0 <= cxf < xsize and 0 <= cyf < ysize and 0 <= czf < zsize:
                vox[int(cxf), int(cyf), int(czf)] += 1 if weights is None else weights[i]
    return vox, len(offs)

def rectangle(points, xsize, ysize, zsize, xdiam, ydiam, zdiam, weights=None):
    vox = np.zeros((xsize, ysize, zsize), dtype=np.float64 if weights is not None else np.int32)
    xmin, xmax = int(-xdiam / 2 + 1), int(xdiam / 2 + 1)
    ymin, ymax = int(-ydiam / 2 + 1), int(ydiam / 2 + 1)
    zmin, zmax = int(-zdiam / 2 + 1), int(zdiam / 2 + 1)
    for i in range(points.shape[0]):
        cx0, cy0, cz0 = points[i]
        xl = max(0, int(cx0 + xmin)); xh = min(xsize, int(cx0 + xmax))
        yl = max(0, int(cy0 + ymin)); yh = min(xsize, int(cy0 + ymax))   # ClearMap clips y with xsize
        zl = max(0, int(cz0 + zmin)); zh = min(zsize, int(cz0 + zmax))
        for xs in range(xl, xh):
            for ys in range(yl, yh):
                for zs in range(zl, zh):
                    vox[xs, ys, zs] += 1 if weights is None else weights[i]
    return vox

shape = (10, 10, 8)
points = rng.uniform(-3, 13, (60, 3)); points[:, 2] = rng.uniform(-3, 11, 60)
weights = np.round(rng.uniform(0.5, 2.0, 60) * 8) / 8   # multiples of 1/8: exact sums, short JSON
cases = []
for size in ((5, 5, 5), (7, 7, 3), (4, 6, 5), (3, 3, 3)):
    for w in (None, weights):
        s, nk = sphere(points, *shape, *size, weights=w)
        r = rectangle(points, *shape, *size, weights=w)
        # flatten with x fastest (Fortran order) to match the engine's memory layout
        cases.append({'size': list(size), 'weighted': w is not None, 'sphereOffsets': nk,
                      'Spherical': s.ravel(order='F').tolist(), 'Rectangular': r.ravel(order='F').tolist()})
with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/analysis/make-voxelize-fixtures.py', 'shape': list(shape),
               'points': points.ravel().tolist(), 'weights': weights.tolist(), 'cases': cases}, f)
print('wrote', OUT, os.path.getsize(OUT), 'bytes')
