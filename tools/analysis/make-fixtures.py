#!/usr/bin/python3
"""Reference values for test/analysis from scipy 1.10 (Debian's /usr/bin/python3).

Run once:  /usr/bin/python3 tools/analysis/make-fixtures.py
Writes test/fixtures/analysis/statistics.json. ClearMap 0.9.2's own formulas (Benjamini-Hochberg,
Storey q-values, its Cramer-von Mises normal approximation, completed cumulatives) are restated here
from ClearMap/Analysis/{Statistics.py,Tools/*.py} in Python 3 syntax, on top of scipy.
"""
import json, os, warnings
import numpy as np
import scipy, scipy.interpolate
from scipy import stats, special
from scipy.stats import rankdata

warnings.simplefilter('ignore')
rng = np.random.default_rng(20261125)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'analysis', 'statistics.json')

def num(v):
    # JSON has no NaN/Infinity: encode them as null / "inf" / "-inf" (the tests decode them)
    v = float(v)
    if np.isnan(v): return None
    if np.isinf(v): return 'inf' if v > 0 else '-inf'
    return v

def fl(a):
    return [num(v) for v in np.asarray(a, dtype=float).ravel()]

# --- ClearMap's formulas -------------------------------------------------------------------------
def clearmap_bh(p):
    p = np.asarray(p); o = np.argsort(p); ps = p[o]; inv = o.argsort(); n = len(p)
    raw = ps / (np.arange(1, n + 1) / float(n))
    c = np.minimum.accumulate(raw[::-1])[::-1]; c[c > 1] = 1
    return c[inv]

def clearmap_qvalues(pvalues):
    m = float(len(pvalues))
    if len(pvalues) < 100:
        pi0 = 1.0
    else:
        lam = np.arange(0, 0.90, 0.01)
        counts = np.array([(pvalues > i).sum() for i in lam])
        pi0 = np.array([counts[l] / (m * (1 - lam[l])) for l in range(len(lam))])
        tck = scipy.interpolate.splrep(lam, pi0, k=3)
        pi0 = float(scipy.interpolate.splev(lam[-1], tck))
        if pi0 > 1: pi0 = 1.0
    o = np.argsort(pvalues); p = pvalues[o]
    qv = pi0 * m / len(p) * p
    qv[-1] = min(qv[-1], 1.0)
    for i in range(len(p) - 2, -1, -1):
        qv[i] = min(pi0 * m * p[i] / (i + 1.0), qv[i + 1])
    out = np.zeros_like(qv); out[o] = qv
    return out, pi0

def clearmap_cvm(x, y):
    N = len(x); M = len(y)
    alldata = np.concatenate((x, y)); allranks = rankdata(alldata)
    ri = allranks[:N]; sj = allranks[-M:]
    i = rankdata(x); j = rankdata(y)
    U = N * np.sum((ri - i) ** 2) + M * np.sum((sj - j) ** 2)
    T = U / (N * M * (N + M)) - (4 * M * N - 1) / (6 * (M + N))
    Te = 1. / 6 + 1. / (6 * (M + N))
    Tv = 1. / 45 * (M + N + 1) / (M + N) ** 2 * (4 * M * N * (M + N) - 3 * (M ** 2 + N ** 2) - 2 * M * N) / (4 * M * N)
    z = np.abs(T - Te) / np.sqrt(Tv)
    return T, 2 * stats.norm.sf(z)

def ks_2samp_2015(data1, data2):
    # scipy 0.16's ks_2samp (the scipy ClearMap 0.9.2 ran on): asymptotic p-value only
    data1 = np.sort(data1); data2 = np.sort(data2)
    n1 = data1.shape[0]; n2 = data2.shape[0]
    data_all = np.concatenate([data1, data2])
    cdf1 = np.searchsorted(data1, data_all, side='right') / (1.0 * n1)
    cdf2 = np.searchsorted(data2, data_all, side='right') / (1.0 * n2)
    d = np.max(np.absolute(cdf1 - cdf2))
    en = np.sqrt(n1 * n2 / float(n1 + n2))
    prob = stats.kstwobign.sf((en + 0.12 + 0.11 / en) * d)
    return float(d), float(prob)

def clearmap_completed(data, method, inverted=False):
    n = np.array([x.size for x in data]); nm = n.max(); mm = max(x.max() for x in data)
    offset = mm / nm
    datac = []
    for x in data:
        if inverted:
            datac.append(np.concatenate((-x, np.ones(nm - x.size) * offset)) if x.size < nm else -x)
        else:
            datac.append(np.concatenate((x, np.ones(nm - x.size) * (mm + offset))) if x.size < nm else x.copy())
    if method == 'CM':
        s, p = clearmap_cvm(datac[0], datac[1])
    elif method == 'KS':
        s, p = ks_2samp_2015(datac[0], datac[1])
    else:
        r = stats.anderson_ksamp(datac); s, p = r.statistic, r.significance_level
    return float(p), float(s)

fx = {}

# --- t-tests (scipy.stats.ttest_ind) ----------------------------------------------------------------
cases = []
shapes = [(4, 4), (3, 5), (10, 7), (2, 2), (25, 30)]
for (na, nb) in shapes:
    a = rng.normal(10, 2, na); b = rng.normal(11.5, 3, nb)
    cases.append((a, b))
cases.append((np.array([3., 3, 3]), np.array([3., 3, 3, 3])))          # all equal -> NaN
cases.append((np.array([1., 1, 1]), np.array([2., 2, 2])))             # zero variance, different means -> p 0
cases.append((np.array([0., 0, 1, 0]), np.array([5., 7, 6, 9])))       # large t
cases.append((rng.normal(0, 1, 6) + 40, rng.normal(0, 1, 5)))           # extreme tail
tt = []
for a, b in cases:
    for eq in (True, False):
        r = stats.ttest_ind(a, b, equal_var=eq)
        tt.append({'a': fl(a), 'b': fl(b), 'equalVar': eq, 't': fl([r.statistic])[0], 'p': fl([r.pvalue])[0]})
fx['ttest'] = tt

# Student t two-sided p and normal sf over a grid
tgrid = []
for df in (1, 2.5, 3, 6, 10.7, 30, 200):
    for t in (0.0, 0.1, 0.9, 2.0, 3.0, 7.5, 25.0):
        tgrid.append({'t': t, 'df': df, 'p': float(2 * stats.t.sf(abs(t), df))})
fx['studentT'] = tgrid
fx['normalSf'] = [{'z': z, 'sf': float(stats.norm.sf(z))} for z in (-3.0, -0.5, 0.0, 0.3, 1.0, 1.96, 4.0, 8.5, 20.0)]
fx['kolmogorovSf'] = [{'x': x, 'sf': float(stats.kstwobign.sf(x))} for x in (0.2, 0.5, 0.8, 0.99, 1.0, 1.2, 1.8, 3.0, 5.0)]
fx['besselK'] = [{'nu': 0.25, 'x': x, 'k': float(special.kv(0.25, x))} for x in (0.001, 0.0156, 0.3, 1.0, 4.2, 30.0, 300.0)]

# voxel-wise t-test on small maps: groups of 4, shape 6x5x4 (flat, any order), some constant voxels
nvox = 120
A = rng.poisson(4.0, (4, nvox)).astype(float); B = rng.poisson(6.0, (4, nvox)).astype(float)
A[:, :10] = 0; B[:, :10] = 0           # empty voxels in both -> NaN -> p 1
A[:, 10:15] = 2; B[:, 10:15] = 5       # zero variance, different means -> p 0
vox = {'A': [fl(r) for r in A], 'B': [fl(r) for r in B]}
for eq in (True, False):
    t, p = stats.ttest_ind(A, B, axis=0, equal_var=eq)
    pi = np.isnan(p); p[pi] = 1.0; t[pi] = 0
    vox['p_equal' if eq else 'p_welch'] = fl(p)
    vox['sign_equal' if eq else 'sign_welch'] = fl(np.sign(t))
fx['voxelTTest'] = vox
fx['groupMaps'] = {'mean': fl(A.mean(axis=0)), 'std': fl(A.std(axis=0)), 'var': fl(A.var(axis=0))}

# --- multiple comparisons ---------------------------------------------------------------------------
p_mix = np.concatenate([rng.uniform(0, 1, 200), rng.beta(0.3, 8, 100)])
p_small = rng.uniform(0, 0.2, 50)
p_ties = np.array([0.01, 0.04, 0.04, 0.2, 0.04, 0.5, 0.01, 1.0])
mc = []
for name, p in (('mixture300', p_mix), ('uniform50', p_small), ('ties', p_ties)):
    q, pi0 = clearmap_qvalues(p.copy())
    mc.append({'name': name, 'p': fl(p), 'bh': fl(clearmap_bh(p)), 'bonferroni': fl(np.minimum(1, len(p) * p)),
               'q': fl(q), 'pi0': pi0})
fx['multipleComparison'] = mc

# --- Cramer-von Mises -------------------------------------------------------------------------------
cvm = []
for (nx, ny, shift, ties) in ((5, 7, 0.4, False), (10, 10, 1.0, False), (20, 15, 0.3, True), (8, 3, 0.0, True),
                              (30, 40, 0.5, False), (50, 25, 0.8, False), (60, 45, 0.0, True)):
    x = rng.normal(0, 1, nx); y = rng.normal(shift, 1, ny)
    if ties:
        x = np.round(x, 1); y = np.round(y, 1)
    r = stats.cramervonmises_2samp(x, y)
    T, p = clearmap_cvm(x, y)
    cvm.append({'x': fl(x), 'y': fl(y), 'statistic': float(r.statistic), 'pvalue': float(r.pvalue),
                'method': 'exact' if max(nx, ny) <= 20 else 'asymptotic', 'clearmapT': float(T), 'clearmapP': float(p)})
fx['cramerVonMises'] = cvm

# --- Anderson-Darling k-sample ------------------------------------------------------------------------
ad = []
for shifts, sizes, ties in (([0, 0.5], [50, 30], False), ([0, 0.9, 0.3], [20, 25, 15], False),
                            ([0, 0, 0], [40, 30, 20], False), ([0, 0.6], [12, 18], True), ([0, 3], [30, 30], False),
                            ([0, 0.7], [40, 35], False)):
    samples = [rng.normal(s, 1, n) for s, n in zip(shifts, sizes)]
    if ties:
        samples = [np.round(s, 1) for s in samples]
    for mid in (True, False):
        r = stats.anderson_ksamp(samples, midrank=mid)
        ad.append({'samples': [fl(s) for s in samples], 'midrank': mid, 'statistic': float(r.statistic),
                   'critical': fl(r.critical_values), 'pvalue': float(r.significance_level)})
fx['andersonKSample'] = ad

# --- ClearMap completed cumulatives ---------------------------------------------------------------------
cc = []
for sizes, scales in (([40, 30], [1.0, 1.2]), ([25, 25, 18], [1.0, 1.0, 1.5]), ([60, 45], [1.0, 1.0])):
    data = [np.round(rng.exponential(sc, n), 6) for sc, n in zip(scales, sizes)]
    results = []
    for method in (('AD', 'CM', 'KS') if len(data) == 2 else ('AD',)):
        for inv in (False, True):
            p, s = clearmap_completed(data, method, inv)
            results.append({'method': method, 'inverted': inv, 'p': p, 's': s})
    cc.append({'data': [fl(np.round(d, 6)) for d in data], 'results': results})
fx['completedCumulatives'] = cc

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/analysis/make-fixtures.py', 'scipy': scipy.__version__, 'numpy': np.__version__, **fx}, f)
print('wrote', OUT, os.path.getsize(OUT), 'bytes')
