#!/usr/bin/python3
"""Cross-tool checks for ClearMap.ts TIFF IO, run with Debian's /usr/bin/python3 (numpy, tifffile).

  tifffile_tool.py write-fixtures DIR   write TIFF stacks with tifffile (dtypes, byte orders, strips,
                                        tiles, deflate with/without predictor, BigTIFF, ImageJ) plus
                                        the raw voxel bytes of each (little-endian, C order z,y,x) and
                                        DIR/manifest.json describing them
  tifffile_tool.py read TIFF OUT.bin    read TIFF with tifffile, write its voxels to OUT.bin as above
                                        and print JSON metadata (shape, dtype, ImageJ, resolution)
"""
import json
import os
import sys

import numpy as np
import tifffile


def pattern(shape, dtype, seed):
    """Deterministic data that exercises the full value range of the dtype."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)


def write_fixtures(out):
    os.makedirs(out, exist_ok=True)
    shape = (6, 21, 37)  # z, y, x: odd sizes catch row/strip arithmetic errors
    cases = []

    def add(name, data, **kw):
        path = os.path.join(out, name + '.tif')
        tifffile.imwrite(path, data, photometric='minisblack', **kw)
        raw = os.path.join(out, name + '.bin')
        data.astype(data.dtype.newbyteorder('<')).tofile(raw)
        cases.append({'name': name, 'file': path, 'raw': raw, 'dtype': data.dtype.name,
                      'shape': list(data.shape), 'options': {k: str(v) for k, v in kw.items()}})

    for i, dt in enumerate(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']):
        add('plain_' + dt, pattern(shape, dt, i))
    u16 = pattern(shape, 'uint16', 100)
    add('bigendian_uint16', u16, byteorder='>')
    add('bigendian_float32', pattern(shape, 'float32', 101), byteorder='>')
    add('rowsperstrip3_uint16', u16, rowsperstrip=3)
    add('tiled_uint16', u16, tile=(16, 16))
    add('deflate_uint16', u16, compression='zlib')
    add('deflate_predictor_uint16', u16, compression='zlib', predictor=True)
    add('deflate_float32', pattern(shape, 'float32', 102), compression='zlib')
    add('bigtiff_uint16', u16, bigtiff=True)
    add('bigtiff_deflate_int16', pattern(shape, 'int16', 103), bigtiff=True, compression='zlib')
    add('imagej_uint16', u16, imagej=True, resolution=(1 / 0.65, 1 / 0.65), metadata={'spacing': 2.5, 'unit': 'um', 'axes': 'ZYX'})
    # ImageJ's layout for stacks over 4 GiB: one IFD, images=N, planes stored contiguously
    add('imagej_contiguous_uint16', u16, imagej=True, truncate=True, metadata={'axes': 'ZYX'})
    add('imagej_2channels_uint16', pattern((6, 2, 21, 37), 'uint16', 105), imagej=True, metadata={'axes': 'ZCYX'})
    single = pattern((21, 37), 'uint16', 104)
    add('single_plane_uint16', single)
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(cases, f, indent=1)


def read(path, out):
    with tifffile.TiffFile(path) as tif:
        data = tif.asarray()
        page = tif.pages[0]
        tags = page.tags

        def rational(name):
            t = tags.get(name)
            return None if t is None else t.value[0] / t.value[1]

        meta = {
            'shape': list(data.shape), 'dtype': data.dtype.name, 'pages': len(tif.pages),
            'is_bigtiff': tif.is_bigtiff, 'is_imagej': tif.is_imagej, 'imagej': tif.imagej_metadata,
            'xresolution': rational('XResolution'), 'yresolution': rational('YResolution'),
            'byteorder': tif.byteorder,
            # ImageJ reads an images=N stack from the first strip on: the planes must be back to back
            'contiguous': all(
                tif.pages[i + 1].dataoffsets[0] - tif.pages[i].dataoffsets[0] == tif.pages[i].databytecounts[0]
                for i in range(len(tif.pages) - 1)),
        }
    data.astype(data.dtype.newbyteorder('<')).tofile(out)
    print(json.dumps(meta))


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'write-fixtures':
        write_fixtures(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == 'read':
        read(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
