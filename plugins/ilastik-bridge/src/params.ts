// The plugin's params, declared once: the schemas validate and document them (ajv fills the defaults),
// IlastikCellsParams / IlastikPixelsParams are what the nodes and kernels receive. `project` is a file
// the kernel reads (format 'path'): the engine resolves it against the workflow folder and puts its
// identity into the cache key, so a retrained project recomputes.
import { paramsSchema, type ParamsOf } from 'clearmap-ts';

export const ilastikCellsParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  required: ['project'],
  properties: {
    project: { type: 'string', format: 'path', minLength: 1, description: 'ilastik project (.ilp) with a trained pixel classifier, relative to the workflow file.' },
    ilastik: { type: 'string', minLength: 1, description: 'ilastik launcher run_ilastik.sh, or the ilastik folder holding it (ClearMap\'s IlastikPath). Default: environment variable ILASTIK_PATH.' },
    cellClass: { type: 'integer', minimum: 0, default: 0, description: 'Channel of the cell class in ilastik\'s probability export (0 = the first label).' },
    threshold: { type: ['number', 'null'], minimum: 0, maximum: 1, default: null, description: 'Cell voxels: probability of cellClass > threshold; null = argmax over the classes (ClearMap).' },
    rescale: { type: ['number', 'null'], exclusiveMinimum: 0, default: null, description: 'ClearMap\'s rescale: send value*rescale clipped to uint8 (as ilastik projects trained on 8-bit data expect); null = send the data type as is.' },
    featureOverlap: { type: 'integer', minimum: 0, default: 10, description: 'Planes at an interior chunk edge whose probabilities are distrusted: the z-radius of the project\'s largest feature filter (about 3.5 x its largest sigma).' },
    maxCellExtent: { type: 'integer', minimum: 1, default: 10, description: 'Largest cell extent in z (planes); longer components are dropped. Overlap = featureOverlap + maxCellExtent.' },
    minSize: { type: 'integer', minimum: 1, default: 1, description: 'Smallest component kept (voxels).' },
    maxSize: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Largest component kept (voxels); null = no limit.' },
    threads: { type: ['integer', 'null'], minimum: 1, default: null, description: 'LAZYFLOW_THREADS for each ilastik run (ilastik parallelises itself; null = ilastik\'s default).' },
    readonly: { type: 'boolean', default: true, description: 'Pass --readonly, so several ilastik processes (one per worker) can open the project at once; set false for old ilastik versions without that flag.' },
    extraArgs: { type: 'array', items: { type: 'string' }, default: [], description: 'Further arguments passed to run_ilastik.sh before the input file.' },
    tempDir: { type: 'string', description: 'Folder for the per-chunk exchange files (default: the system temp folder).' },
  },
});

export const ilastikPixelsParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  required: ['project'],
  properties: {
    project: ilastikCellsParams.properties.project, ilastik: ilastikCellsParams.properties.ilastik,
    cellClass: { ...ilastikCellsParams.properties.cellClass, description: 'Channel of ilastik\'s probability export to keep (0 = the first label).' },
    rescale: ilastikCellsParams.properties.rescale, featureOverlap: ilastikCellsParams.properties.featureOverlap, threads: ilastikCellsParams.properties.threads, readonly: ilastikCellsParams.properties.readonly, extraArgs: ilastikCellsParams.properties.extraArgs, tempDir: ilastikCellsParams.properties.tempDir,
  },
});

export type IlastikCellsParams = ParamsOf<typeof ilastikCellsParams>;
export type IlastikPixelsParams = ParamsOf<typeof ilastikPixelsParams>;
