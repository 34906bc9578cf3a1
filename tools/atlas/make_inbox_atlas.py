#!/usr/bin/python3
"""Build the in-box atlas folder atlases/allen_mouse_50um/ (BrainGlobe layout) from ClearMap's files.

Run once by a developer (needs numpy + tifffile: /usr/bin/python3 on Debian):
    /usr/bin/python3 tools/atlas/make_inbox_atlas.py /work/shared/data/atlas atlases/allen_mouse_50um

Axes. ClearMap's ABA files (tifffile order pages, rows, columns) hold the Allen CCFv3 array as
(ML, AP, DV); ClearMap's [x, y, z] = (DV, AP, ML). BrainGlobe stores (AP, DV, ML) in "asr" order:
axis 0 anterior -> posterior, axis 1 superior -> inferior, axis 2 right -> left, i.e. exactly the
Allen array as the Allen Institute publishes it (BrainGlobe's allen_mouse atlases are that array,
labelled "asr"). So bg = cm.transpose(1, 2, 0): no flip.

Hemispheres. BrainGlobe: 1 = left, 2 = right; for "asr" the right hemisphere is the first half of
axis 2 (brainglobe_atlasapi's Atlas.hemispheres for symmetric atlases: indices >= round(n/2) are 1).
ClearMap's file marks ML index < n/2 with 255: that is BrainGlobe's right (2).

Structures. From the Allen structure graph (ABA_annotation_last.json): every structure under root
(997) whose id, or a descendant's id, occurs in the annotation (as BrainGlobe's atlas generation
filters), with structure_id_path from root, rgb_triplet from color_hex_triplet. `universe` is not a
structure (annotation value 0 = outside the brain).
"""
import hashlib
import json
import os
import sys

import numpy as np
import tifffile


def main(src, dest):
    os.makedirs(dest, exist_ok=True)
    cm = tifffile.imread(os.path.join(src, 'ABA_50um_2017_annotation.tif'))
    hem = tifffile.imread(os.path.join(src, 'ABA_50um_hemispheres.tif'))
    assert cm.dtype == np.uint32 and cm.shape == (228, 264, 160), (cm.dtype, cm.shape)
    bg = np.ascontiguousarray(cm.transpose(1, 2, 0))
    n_ml = bg.shape[2]
    h_bg = np.ascontiguousarray(hem.transpose(1, 2, 0))
    expected = np.zeros(bg.shape, np.uint8)
    expected[:, :, : n_ml // 2] = 255
    assert np.array_equal(h_bg, expected), 'ClearMap hemispheres are not 255 on the first ML half'
    hemispheres = np.where(h_bg == 255, 2, 1).astype(np.uint8)  # first half of axis 2 = right = 2

    graph = json.load(open(os.path.join(src, 'ABA_annotation_last.json')))['msg'][0]
    assert graph['acronym'] == 'universe' and graph['children'][0]['id'] == 997
    present = set(int(v) for v in np.unique(bg))
    structures = []

    def visit(node, path):
        path = path + [node['id']]
        kids = [visit(c, path) for c in node.get('children', [])]
        keep = node['id'] in present or any(kids)
        if keep:
            h = node['color_hex_triplet']
            structures.append({
                'acronym': node['acronym'], 'id': node['id'], 'name': node['name'],
                'structure_id_path': path, 'rgb_triplet': [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)],
            })
        return keep

    visit(graph['children'][0], [])
    structures.sort(key=lambda s: (len(s['structure_id_path']), s['structure_id_path']))
    missing = present - {0} - {s['id'] for s in structures}
    assert not missing, f'annotation ids missing from the structure graph: {sorted(missing)}'

    def write_tiff(name, arr):
        tifffile.imwrite(os.path.join(dest, name), arr, compression='zlib', compressionargs={'level': 9},
                         metadata=None)
        back = tifffile.imread(os.path.join(dest, name))
        assert back.dtype == arr.dtype and np.array_equal(back, arr), name

    write_tiff('annotation.tiff', bg)
    write_tiff('hemispheres.tiff', hemispheres)
    with open(os.path.join(dest, 'structures.json'), 'w') as f:
        json.dump(structures, f, separators=(',', ':'))
        f.write('\n')
    sha = hashlib.sha256(bg.tobytes()).hexdigest()
    metadata = {
        'name': 'allen_mouse',
        'citation': 'Wang et al 2020, https://doi.org/10.1016/j.cell.2020.04.007',
        'atlas_link': 'http://www.brain-map.org',
        'species': 'Mus musculus',
        'symmetric': True,
        'resolution': [50.0, 50.0, 50.0],
        'orientation': 'asr',
        'version': '2017.1',
        'shape': list(bg.shape),
        'trasform_to_bg': [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
        'additional_references': [],
        'clearmap': {
            'annotation': 'Allen CCFv3 2017 annotation, nearest-neighbour 50 um from the 25 um file '
                          '(ClearMap 2 ABA_25um_2017_annotation.tif; voxel 2j+1 on every axis)',
            'annotation_sha256': sha,
            'reference': None,
            'hemispheres': '1 = left, 2 = right (BrainGlobe); right = first half of axis 2 ("asr")',
            'structures': 'Allen structure graph ABA_annotation_last.json, filtered to ids in the annotation',
        },
    }
    with open(os.path.join(dest, 'metadata.json'), 'w') as f:
        json.dump(metadata, f, indent=2)
        f.write('\n')
    print(f'{dest}: annotation {bg.shape} {bg.dtype}, {len(present) - 1} labels, {len(structures)} structures, sha256 {sha[:12]}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
