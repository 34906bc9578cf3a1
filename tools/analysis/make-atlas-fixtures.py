#!/usr/bin/python3
"""Region counts from a Python 3 port of ClearMap 0.9.2's Analysis/Label.py (LabelInfo, labelPoints,
countPointsInRegions) on the seeded synthetic atlas. Run once, after writing the atlas with
    node dist/tools/analysis/synthetic-atlas.js /tmp/ana/atlas7 7 32 40 24
    /usr/bin/python3 tools/analysis/make-atlas-fixtures.py /tmp/ana/atlas7
Writes test/fixtures/analysis/atlas-counts.json.
"""
import csv, json, os, sys
import numpy as np

atlas_dir = sys.argv[1]
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'analysis', 'atlas-counts.json')

# --- LabelInfo (ClearMap/Analysis/Label.py) ---------------------------------------------------------
def to_int(txt): return -1 if txt == '' else int(txt)
with open(os.path.join(atlas_dir, 'annotation_info.csv')) as f:
    r = csv.reader(f); next(r)
    rows = [(int(x[0]), to_int(x[7]), x[9] != '') for x in r]
ids = [x[0] for x in rows]
parents = {x[0]: x[1] for x in rows}
collapse = {x[0]: x[2] for x in rows}
levels = {}
for i in ids:
    lv, p = 0, parents[i]
    while p >= 0:
        lv += 1; p = parents[p]
    levels[i] = lv

def label_at_level(i, level):
    if i not in ids: return i
    while levels[i] > level: i = parents[i]
    return i

def label_at_collapse(i):
    if i not in ids: return i
    while not collapse[i] and levels[i] > 0: i = parents[i]
    return i

# annotation volume: MHD DimSize is x y z, memory x fastest -> numpy (z, y, x), index [x, y, z] via transpose
hdr = dict(l.split(' = ') for l in open(os.path.join(atlas_dir, 'annotation.mhd')).read().strip().split('\n'))
X, Y, Z = map(int, hdr['DimSize'].split())
label_image = np.fromfile(os.path.join(atlas_dir, 'annotation.raw'), dtype='<u2').reshape(Z, Y, X).transpose(2, 1, 0)

def label_points(points, level=None, collapse_=None):
    x, y, z = points[:, 0], points[:, 1], points[:, 2]
    out = np.zeros(x.size, 'int32')
    dsize = label_image.shape
    for i in range(x.size):
        if x[i] >= 0 and x[i] < dsize[0] and y[i] >= 0 and y[i] < dsize[1] and z[i] >= 0 and z[i] < dsize[2]:
            out[i] = label_image[int(x[i]), int(y[i]), int(z[i])]
    if collapse_ is None:
        return out if level is None else np.array([label_at_level(v, level) for v in out])
    return np.array([label_at_collapse(v) for v in out])

def count_points_in_regions(points, intensities=None, level=None, allIds=False, collapse_=None):
    pl = label_points(points, level, collapse_)
    if intensities is None:
        ll, cc = np.unique(pl, return_counts=True); cci = None
    else:
        ll, ii, cc = np.unique(pl, return_counts=True, return_inverse=True)
        cci = np.zeros(ll.shape)
        for i in range(ii.shape[0]): cci[ii[i]] += intensities[i]
    if allIds:
        lla = np.setdiff1d(ids, ll)
        ll = np.hstack((ll, lla)); cc = np.hstack((cc, np.zeros(lla.shape, dtype=cc.dtype)))
        if cci is not None: cci = np.hstack((cci, np.zeros(lla.shape)))
    o = np.argsort(ll)
    return ll[o].tolist(), cc[o].tolist(), (None if cci is None else cci[o].tolist())

rng = np.random.default_rng(77)
n = 1200
points = np.column_stack([rng.uniform(-2, X + 2, n), rng.uniform(-2, Y + 2, n), rng.uniform(-2, Z + 2, n)])
points = np.round(points, 6)  # stored rounded: compute on exactly what the test reads
intens = np.round(rng.uniform(0, 100, n), 2)
cases = []
for name, kw in (('full', {}), ('allIds', {'allIds': True}), ('level2', {'level': 2}), ('level3', {'level': 3}),
                 ('collapse', {'collapse_': True}), ('weighted', {'intensities': intens}), ('weightedLevel1', {'intensities': intens, 'level': 1})):
    ll, cc, cci = count_points_in_regions(points, **kw)
    cases.append({'name': name, 'level': kw.get('level'), 'collapse': kw.get('collapse_', False), 'allIds': kw.get('allIds', False),
                  'weighted': 'intensities' in kw, 'ids': ll, 'counts': cc, 'sums': cci})
with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/analysis/make-atlas-fixtures.py', 'atlas': {'seed': 7, 'shape': [X, Y, Z]},
               'points': points.ravel().tolist(), 'intensities': intens.tolist(), 'cases': cases}, f)
print('wrote', OUT, os.path.getsize(OUT), 'bytes')
