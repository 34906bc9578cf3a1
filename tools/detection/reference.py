#!/usr/bin/python3
"""Reference re-implementation of ClearMap 0.9.2's cell detection (SpotDetection.detectSpots) with
numpy / scipy / scikit-image, for parity checks and benchmarks of nodes/detection.

Usage:  reference.py <tiff | directory | glob pattern | .npy (x, y, z)> <out.csv> [--params params.json] [--stages dir]

The parameters JSON uses ClearMap's names, grouped as in ClearMap's detectSpotsParameter (the same
object the `detect` node takes), e.g.
  {"removeBackgroundParameter": {"size": [7, 7]}, "filterDoGParameter": {"size": [7, 7, 5]},
   "findExtendedMaximaParameter": {"hMax": 20, "size": 5, "threshold": 50},
   "detectCellShapeParameter": {"threshold": 200}}
Arrays are indexed [x, y, z] as in ClearMap (tifffile's (z, y, x) is transposed). The whole stack is
processed at once (no chunking). Writes x,y,z,raw,dog,background[,size] and prints the wall time.

Each step uses the library ClearMap 0.9.2 uses for it, so the timings are ClearMap's: cv2.morphologyEx
(MORPH_OPEN, ClearMap's disk element) per z-slice for the background, scipy.ndimage.correlate with the
float32 DoG kernel, skimage's grey reconstruction loop (ClearMap's GreyReconstruction wraps it) for the
h-max transform, scipy.ndimage maximum_filter / label / center_of_mass / sum / maximum, and skimage's
watershed. Faithful to ClearMap 0.9.2 (see comments) except: all maxima labels get a centre (0.9.2
drops the last one, numpy.arange(1, nlab)); illumination correction is not implemented here.
The printed JSON has per-stage CPU seconds ("stages") besides the wall time of detect_spots.
"""
import argparse, glob, json, math, os, sys, time
import numpy as np
import cv2
from scipy import ndimage as ndi
import tifffile
from skimage.segmentation import watershed
from skimage.morphology import reconstruction

DEFAULTS = {
    "correctIlluminationParameter": {"flatfield": None, "background": None, "scaling": "Mean"},
    "removeBackgroundParameter": {"size": [7, 7]},
    "filterDoGParameter": {"size": None, "sigma": None, "sigma2": None},
    "findExtendedMaximaParameter": {"hMax": None, "size": 5, "threshold": 0},
    "findIntensityParameter": {"method": "Max", "size": [3, 3, 3]},
    "detectCellShapeParameter": {"threshold": 700},
    "findCellIntensityParameter": {"method": "Max"},
    "cellReach": 6,
}


def read_stack(spec):
    if spec.endswith('.npy'):
        return np.load(spec)  # already (x, y, z)
    if os.path.isdir(spec):
        files = sorted(glob.glob(os.path.join(spec, '*.tif')) + glob.glob(os.path.join(spec, '*.tiff')))
    elif any(c in spec for c in '*?['):
        files = sorted(glob.glob(spec))
    else:
        files = [spec]
    if not files:
        sys.exit(f'reference.py: no TIFF files match {spec}')
    planes = [tifffile.imread(f) for f in files]
    a = np.concatenate([p[None] if p.ndim == 2 else p for p in planes], axis=0)  # (z, y, x)
    return np.ascontiguousarray(a.transpose(2, 1, 0))                            # (x, y, z) as ClearMap


def se_offsets(size):  # StructureElement.structureElementOffsets
    o = np.zeros((3, 2), dtype=int)
    for i, s in enumerate(size):
        if s % 2 == 0:
            o[i] = (s // 2, s // 2)
        else:
            o[i] = ((s - 1) // 2, (s - 1) // 2 + 1)
    return o


def disk2d(size):  # StructureElement.structureElement2D('Disk', size)
    o = se_offsets(size)
    omax = o.min(axis=1)
    g = np.mgrid[-o[0, 0]:o[0, 1], -o[1, 0]:o[1, 1]].astype(float)
    add = ((np.array(size) + 1) % 2) / 2.
    x = g[0] + add[0]; y = g[1] + add[1]
    se = 1 - (x * x / (omax[0] * omax[0]) + y * y / (omax[1] * omax[1]))
    return se >= 0


def dog_kernel(size, sigma=None, sigma2=None):  # FilterKernel.filterKernel3D('DoG', ...)
    o = se_offsets(size)
    size = np.array(size)
    fwhm = 2 * math.sqrt(2 * math.log(2))
    def per_axis(v):
        v = np.array(v, dtype=float)
        return np.array((v[0], v[0], v[0])) if len(v) < 3 else v[0:3]
    sigma2 = per_axis(size / fwhm if sigma2 is None else sigma2)
    sigma = per_axis(sigma2 / 1.5 if sigma is None else sigma)
    g = np.mgrid[-o[0, 0]:o[0, 1], -o[1, 0]:o[1, 1], -o[2, 0]:o[2, 1]].astype(float)
    add = ((size + 1) % 2) / 2.
    x = g[0] + add[0]; y = g[1] + add[1]; z = g[2] + add[2]
    ker = np.exp(-(x * x / 2. / sigma[0] ** 2 + y * y / 2. / sigma[1] ** 2 + z * z / 2. / sigma[2] ** 2)); ker /= ker.sum()
    sub = np.exp(-(x * x / 2. / sigma2[0] ** 2 + y * y / 2. / sigma2[1] ** 2 + z * z / 2. / sigma2[2] ** 2))
    return ker - sub / sub.sum()


def remove_background(img, size):  # BackgroundRemoval.removeBackground, line for line
    if size is None:
        return img
    dtype = img.dtype
    img = np.array(img, dtype=float)
    se = disk2d(size).astype('uint8')
    for z in range(img.shape[2]):
        img[:, :, z] = img[:, :, z] - cv2.morphologyEx(img[:, :, z], cv2.MORPH_OPEN, se)
    img[img < 0] = 0
    return np.array(img, dtype=dtype)


def filter_dog(img, p):  # DoGFilter.filterDoG
    img = img.astype('float32')
    if p["size"] is None:
        return img
    k = dog_kernel(p["size"], p.get("sigma"), p.get("sigma2")).astype('float32')
    img = ndi.correlate(img, k)
    img[img < 0] = 0
    return img


def find_extended_maxima(img, p):  # MaximaDetection.findExtendedMaxima
    h = p["hMax"]
    imgmax = img if h is None else reconstruction(img - np.float32(h), img, method='dilation', footprint=np.ones((3, 3, 3)))
    size = p["size"]
    size = tuple(size) if isinstance(size, (list, tuple)) else (size, size, size)
    mask = ndi.maximum_filter(imgmax, size=size) == imgmax
    if p["threshold"] is not None:
        mask = np.logical_and(mask, img >= p["threshold"])
    return mask


def find_intensity(img, centers, method, size):  # MaximaDetection.findIntensity
    if centers.shape[0] == 0:
        return np.zeros(0)
    if method is None:
        c = centers.astype(int)
        return img[c[:, 0], c[:, 1], c[:, 2]].astype(float)
    o = se_offsets(size)
    f = getattr(np, method.lower())
    out = np.zeros(centers.shape[0])
    for i, c in enumerate(centers):
        lo = [max(int(-o[d, 0] + c[d]), 0) for d in range(3)]
        hi = [min(int(o[d, 1] + c[d]), img.shape[d]) for d in range(3)]
        out[i] = f(img[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]])
    return out


class StageClock:
    """CPU seconds per stage (time.process_time: this process only, robust on a shared machine)."""
    def __init__(self):
        self.times = {}
        self.t = time.process_time()

    def lap(self, name):
        t = time.process_time()
        self.times[name] = self.times.get(name, 0.0) + t - self.t
        self.t = t


def detect_spots(img, params, stages=None, clock=None):
    clock = clock or StageClock()
    p = {k: (dict(v, **params.get(k, {})) if isinstance(v, dict) else params.get(k, v)) for k, v in DEFAULTS.items()}
    if p["correctIlluminationParameter"]["flatfield"] is not None:
        sys.exit('reference.py: illumination correction is not implemented in the reference')
    clock.lap('setup')
    img2 = remove_background(img, p["removeBackgroundParameter"]["size"])
    clock.lap('background')
    img3 = filter_dog(img2, p["filterDoGParameter"])
    clock.lap('dog')
    mx = p["findExtendedMaximaParameter"]
    imgmax = find_extended_maxima(img3, mx)
    clock.lap('maxima')
    if stages is not None:
        stages.update(background=img2, dog=img3, maxima=imgmax)
    dog_or_bg = img2 if p["filterDoGParameter"]["size"] is None else img3
    thr = p["detectCellShapeParameter"]["threshold"]
    if thr is not None and mx["hMax"] is None:
        # seeds outside the watershed mask end with size 0 and are removed anyway: drop them now
        imgmax = np.logical_and(imgmax, img2 > thr)
    if mx["hMax"] is not None:
        lab, n = ndi.label(imgmax)
        centers = np.array(ndi.center_of_mass(img, lab, np.arange(1, n + 1))).reshape(-1, 3)
    else:
        centers = np.vstack(np.nonzero(imgmax)).T.astype(float).reshape(-1, 3)
    clock.lap('centres')
    if thr is None:
        fi = p["findIntensityParameter"]
        cols = [find_intensity(a, centers, fi["method"], fi["size"]) for a in (img, dog_or_bg, img2)]
        clock.lap('measure')
        return centers, np.vstack(cols).T
    # CellSizeDetection.detectCellShape: voxelizePixel (truncating, strictly positive) + watershed
    n = centers.shape[0]
    markers = np.zeros(img.shape, dtype=np.int32)
    with np.errstate(invalid='ignore'):
        ok = np.all(centers > 0, axis=1) & np.all(centers < np.array(img.shape), axis=1)
    ci = centers[ok].astype(int)
    markers[ci[:, 0], ci[:, 1], ci[:, 2]] = np.arange(1, n + 1)[ok]
    labels = watershed(-img2, markers, mask=img2 > thr)
    clock.lap('watershed')
    idx = np.arange(1, n + 1)
    size = ndi.sum(np.ones(img.shape, dtype=bool), labels=labels, index=idx)
    red = {'max': ndi.maximum, 'min': ndi.minimum, 'sum': ndi.sum, 'mean': ndi.mean}[p["findCellIntensityParameter"]["method"].lower()]
    cols = [np.asarray(red(a, labels=labels, index=idx), dtype=float) for a in (img, dog_or_bg, img2)]
    keep = size > 0
    clock.lap('measure')
    return centers[keep], np.vstack([c[keep] for c in cols] + [size[keep]]).T


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('source'); ap.add_argument('out')
    ap.add_argument('--params', help='JSON file or inline JSON object with ClearMap-named parameters')
    ap.add_argument('--stages', help='directory to write background.npy, dog.npy (x, y, z arrays)')
    a = ap.parse_args()
    params = {}
    if a.params:
        params = json.loads(a.params) if a.params.strip().startswith('{') else json.load(open(a.params))
    img = read_stack(a.source)
    t0 = time.perf_counter()
    c0 = time.process_time()
    stages = {} if a.stages else None
    clock = StageClock()
    centers, cols = detect_spots(img, params, stages, clock)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    names = ['raw', 'dog', 'background', 'size'][:cols.shape[1]]
    with open(a.out, 'w') as f:
        f.write(','.join(['x', 'y', 'z'] + names) + '\n')
        for c, v in zip(centers, cols):
            f.write(','.join(repr(float(x)) for x in list(c) + list(v)) + '\n')
    if a.stages:
        os.makedirs(a.stages, exist_ok=True)
        for k in ('background', 'dog'):
            np.save(os.path.join(a.stages, k + '.npy'), np.asfortranarray(stages[k]))  # x fastest, like Volume
    nvox = img.size
    print(json.dumps({"cells": int(centers.shape[0]), "seconds": round(dt, 3), "cpuSeconds": round(cpu, 3),
                      "mvoxelPerSecond": round(nvox / dt / 1e6, 3), "shape": list(img.shape),
                      "stages": {k: round(v, 3) for k, v in clock.times.items() if k != 'setup'}}))


if __name__ == '__main__':
    main()
