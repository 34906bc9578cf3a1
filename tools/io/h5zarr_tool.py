#!/usr/bin/python3
"""Cross-tool checks for ClearMap.ts Imaris (.ims) and Zarr IO, run with Debian's /usr/bin/python3
(numpy, h5py, zarr 2.x, numcodecs).

  h5zarr_tool.py write-fixtures DIR     write Imaris-like .ims files with h5py and Zarr v2 arrays /
                                        OME-Zarr groups with python zarr, plus DIR/manifest.json
  h5zarr_tool.py read-ims FILE DATASET Z0 Z1 Y0 Y1 X0 X1 OUT.bin
                                        h5py's view d[z0:z1, y0:y1, x0:x1] of DATASET, written to OUT.bin
                                        (little-endian, C order z, y, x); prints its dtype and shape
  h5zarr_tool.py read-zarr PATH OUT.bin [LEVEL]
                                        python zarr's view of the array (for an OME-Zarr group: the
                                        multiscale level LEVEL, default 0), written to OUT.bin as above; prints
                                        JSON with shape, dtype, chunks, compressor and the attributes
"""
import json
import os
import sys

import h5py
import numpy as np
import zarr
from numcodecs import Blosc, GZip


def pattern(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)


def s1(text):
    """Imaris stores attribute values as arrays of single characters."""
    return np.array(list(str(text)), dtype='|S1')


def write_ims(path, levels, ext_min, ext_max, dtype, channels, per_channel_sizes=True, seed=0):
    """levels: list of (true (z, y, x), stored (z, y, x) >= true, chunks). Padding is filled with 7777."""
    true0 = levels[0][0]
    with h5py.File(path, 'w') as f:
        info = f.create_group('DataSetInfo/Image')
        for axis, n in zip('XYZ', true0[::-1]):
            info.attrs.create('ImageSize' + axis, s1(n))
        for i in range(3):
            info.attrs.create('ExtMin%d' % i, s1(ext_min[i]))
            info.attrs.create('ExtMax%d' % i, s1(ext_max[i]))
        info.attrs.create('Unit', s1('um'))
        f.create_group('DataSetInfo/Imaris').attrs.create('Version', s1('5.5'))
        f.attrs.create('ImarisVersion', s1('5.5.0'))
        for level, (true, stored, chunks) in enumerate(levels):
            for c in range(channels):
                data = pattern(true, dtype, seed + 10 * level + c)
                padded = np.full(stored, 7777, dtype=dtype)
                padded[:true[0], :true[1], :true[2]] = data
                g = f.create_group('DataSet/ResolutionLevel %d/TimePoint 0/Channel %d' % (level, c))
                g.create_dataset('Data', data=padded, chunks=chunks, compression='gzip', compression_opts=4)
                if per_channel_sizes:
                    for axis, n in zip('XYZ', true[::-1]):
                        g.attrs.create('ImageSize' + axis, s1(n))
                    g.attrs.create('HistogramMin', s1('0.000'))


def write_fixtures(out):
    os.makedirs(out, exist_ok=True)
    m = {}
    # two resolution levels, two channels, gzip chunks, padded datasets, |S1 size attributes
    ims = os.path.join(out, 'brain.ims')
    write_ims(ims, [((13, 45, 70), (16, 48, 80), (8, 16, 32)), ((7, 23, 35), (8, 32, 48), (4, 16, 16))],
              (-10, 0, 100), (-10 + 70 * 0.65, 45 * 0.65, 100 + 13 * 5), 'uint16', 2)
    m['ims'] = ims
    # float32, one level, sizes only in DataSetInfo/Image
    imsf = os.path.join(out, 'float.ims')
    write_ims(imsf, [((5, 9, 11), (8, 16, 16), (4, 8, 8))], (0, 0, 0), (11 * 2, 9 * 2, 5 * 3), 'float32', 1, per_channel_sizes=False, seed=50)
    m['imsFloat'] = imsf

    # plain Zarr v2 array, blosc zstd + bitshuffle, '.' chunk keys
    plain = os.path.join(out, 'plain_blosc.zarr')
    a = zarr.open(plain, mode='w', shape=(13, 45, 70), chunks=(4, 16, 32), dtype='uint16',
                  compressor=Blosc(cname='zstd', clevel=3, shuffle=Blosc.BITSHUFFLE))
    a[:] = pattern((13, 45, 70), 'uint16', 100)
    m['plainBlosc'] = plain
    # Fortran-order chunks, no compressor, int16
    ford = os.path.join(out, 'fortran_raw.zarr')
    a = zarr.open(ford, mode='w', shape=(6, 20, 33), chunks=(4, 8, 16), dtype='int16', compressor=None, order='F')
    a[:] = pattern((6, 20, 33), 'int16', 102)
    m['fortranRaw'] = ford

    # OME-Zarr 0.4 group: axes c, z, y, x (2 channels), 2 levels, gzip, big-endian int16, '/' chunk keys
    ome = os.path.join(out, 'two_levels.ome.zarr')
    store = zarr.DirectoryStore(ome, dimension_separator='/')
    g = zarr.group(store=store, overwrite=True)
    full = pattern((2, 11, 30, 41), 'int16', 101).astype('>i2')
    g.create_dataset('0', data=full, chunks=(1, 4, 16, 16), compressor=GZip(level=5), dtype='>i2')
    g.create_dataset('1', data=full[:, ::2, ::2, ::2], chunks=(1, 4, 8, 8), compressor=GZip(level=5), dtype='>i2')
    g.attrs['multiscales'] = [{
        'version': '0.4', 'name': 'two_levels',
        'axes': [{'name': 'c', 'type': 'channel'}, {'name': 'z', 'type': 'space', 'unit': 'micrometer'},
                 {'name': 'y', 'type': 'space', 'unit': 'micrometer'}, {'name': 'x', 'type': 'space', 'unit': 'nanometer'}],
        'datasets': [
            {'path': '0', 'coordinateTransformations': [{'type': 'scale', 'scale': [1, 5, 0.65, 650]}]},
            {'path': '1', 'coordinateTransformations': [{'type': 'scale', 'scale': [1, 10, 1.3, 1300]}]},
        ],
    }]
    m['ome'] = ome
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(m, f, indent=1)


def dump(data, out):
    data = np.ascontiguousarray(data)
    data.astype(data.dtype.newbyteorder('<')).tofile(out)


def read_ims(path, dataset, z0, z1, y0, y1, x0, x1, out):
    with h5py.File(path, 'r') as f:
        d = f[dataset][int(z0):int(z1), int(y0):int(y1), int(x0):int(x1)]
    dump(d, out)
    print(json.dumps({'dtype': d.dtype.name, 'shape': list(d.shape)}))


def read_zarr(path, out, level='0'):
    z = zarr.open(path, mode='r')
    attrs = dict(z.attrs)
    if isinstance(z, zarr.hierarchy.Group):
        z = z[attrs['multiscales'][0]['datasets'][int(level)]['path']]
    dump(z[...], out)
    comp = z.compressor.get_config() if z.compressor is not None else None
    print(json.dumps({'shape': list(z.shape), 'dtype': z.dtype.str, 'chunks': list(z.chunks),
                      'compressor': comp, 'attrs': attrs, 'fill_value': None if z.fill_value is None else z.fill_value.item() if hasattr(z.fill_value, 'item') else z.fill_value}))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'write-fixtures':
        write_fixtures(sys.argv[2])
    elif cmd == 'read-ims':
        read_ims(*sys.argv[2:])
    elif cmd == 'read-zarr':
        read_zarr(*sys.argv[2:])
    else:
        sys.exit(__doc__)
