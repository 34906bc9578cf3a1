#!/usr/bin/python3
"""Generate small numerical reference fixtures for the detection kernels with scipy / skimage
(Debian's python3-scipy 1.10, python3-skimage 0.19), written to test/fixtures/detection/kernels.json.
Arrays are stored flattened in [x, y, z] order with x fastest (numpy order='F' of an (x, y, z) array).
Run: /usr/bin/python3 tools/detection/make-fixtures.py
"""
import json, os, sys
import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import watershed
from skimage.morphology import reconstruction
sys.path.insert(0, os.path.dirname(__file__))
import reference as ref

rs = np.random.RandomState(42)
flat = lambda a: [float(v) for v in np.asarray(a).flatten(order='F')]
out = {}

# filter kernels (ClearMap FilterKernel.filterKernel3D types that the reference module implements: dog)
out['dogKernel'] = {'size': [5, 4, 3], 'weights': flat(ref.dog_kernel([5, 4, 3]))}
out['dogKernelSigma'] = {'size': [7, 7, 5], 'sigma': [1.5, 1.5, 1.0], 'sigma2': [3.0], 'weights': flat(ref.dog_kernel([7, 7, 5], [1.5, 1.5, 1.0], [3.0]))}
out['disk2d'] = {s: flat(ref.disk2d(list(map(int, s.split('x'))))) for s in ['7x7', '6x4', '5x9', '2x2']}

# a small uint16 volume: DoG (float32 kernel, reflect), background removal, local maxima, h-max
vol = (rs.poisson(200, size=(13, 11, 9)) + 800 * np.exp(-((np.mgrid[0:13, 0:11, 0:9] - np.array([6, 5, 4])[:, None, None, None]) ** 2 / np.array([8., 8., 3.])[:, None, None, None]).sum(0))).astype(np.uint16)
out['volume'] = {'shape': [13, 11, 9], 'data': flat(vol)}
dog = ref.filter_dog(vol, {'size': [5, 5, 3], 'sigma': None, 'sigma2': None})
out['dog553'] = flat(dog)
out['background55'] = flat(ref.remove_background(vol, [5, 5]))
out['background46'] = flat(ref.remove_background(vol, [4, 6]))
out['gauss533'] = flat(ndi.correlate(vol.astype('float32'), (lambda k: k / k.sum())(np.exp(-(np.mgrid[-2:3, -1:2, -1:2] ** 2 / (2 * np.array([1.2, 0.8, 0.8]) ** 2)[:, None, None, None]).sum(0))).astype('float32')))
hm = reconstruction(dog - np.float32(15), dog, method='dilation', footprint=np.ones((3, 3, 3)))
out['hmax15'] = flat(hm)
out['localMax5'] = flat((ndi.maximum_filter(hm, size=(5, 5, 5)) == hm).astype(int))
out['localMax3_raw'] = flat((ndi.maximum_filter(dog, size=(3, 3, 3)) == dog).astype(int))

# labelling with scipy's default (6-connected) structure and the full cube
mask = rs.rand(10, 9, 8) > 0.6
l6, n6 = ndi.label(mask)
l26, n26 = ndi.label(mask, structure=np.ones((3, 3, 3)))
out['labelMask'] = {'shape': [10, 9, 8], 'mask': flat(mask.astype(int)), 'count6': int(n6), 'count26': int(n26)}

# watershed of two touching blobs, seeded at their centres, masked
g = np.mgrid[0:24, 0:16, 0:12].astype(float)
blob = lambda c, s: np.exp(-(((g - np.array(c)[:, None, None, None]) ** 2).sum(0)) / (2 * s * s))
img = (1000 * blob([8.2, 8, 6], 3.0) + 1000 * blob([15.8, 8, 6], 3.0)).astype(np.uint16)
markers = np.zeros(img.shape, np.int32); markers[8, 8, 6] = 1; markers[15, 8, 6] = 2
ws = watershed(-img, markers, mask=img > 100)
out['watershed'] = {'shape': list(img.shape), 'image': flat(img), 'labels': flat(ws)}

dst = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'detection', 'kernels.json')
os.makedirs(os.path.dirname(dst), exist_ok=True)
json.dump(out, open(dst, 'w'), separators=(',', ':'))
print(dst, os.path.getsize(dst), 'bytes')
