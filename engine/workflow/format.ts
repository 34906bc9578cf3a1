// The JSON workflow format. Nodes are an array (so duplicate ids can be reported, which a JSON object
// would silently merge); inputs are wired as "<nodeId>.<port>".

export interface WorkflowNode {
  id: string;
  type: string;
  params?: Record<string, unknown>;
  inputs?: Record<string, string>;
  /** Keep this chunk node's output as its own cached result instead of fusing it into the next node. */
  materialize?: boolean;
  description?: string;
}

export interface WorkflowSettings {
  /** Smallest / largest chunk core size in z-planes (ClearMap's chunkSizeMin / chunkSizeMax). */
  chunkSizeMin?: number;
  chunkSizeMax?: number;
  /** Upper bound on the bytes of one input slab (core + overlap); chunkSizeMax is reduced to respect it. */
  chunkBytesMax?: number;
  /** Memory one worker may use for a chunk (bytes); default 60% of the machine's memory divided by the workers. */
  workerMemoryMax?: number;
  /**
   * Largest x/y tile core (pixels): planes are cut into tiles no larger, for chains whose nodes all
   * support tiles; 0 = never tile. Default: the planner tiles when that finishes sooner.
   */
  tileSizeMax?: number;
  /** Where chunk tasks run: this machine's threads (default), a SLURM cluster or a BullMQ queue (`--executor` overrides). */
  executor?: 'local' | 'slurm' | 'bullmq';
  /** Local workers: child processes (default; they do not slow each other down) or worker threads (`--local-workers` overrides). */
  localWorkers?: 'processes' | 'threads';
}

export interface Workflow {
  $schema?: string;
  version: 1;
  name?: string;
  description?: string;
  /** Plugin packages or folders (relative to the workflow file) whose node types this workflow uses. */
  plugins?: string[];
  settings?: WorkflowSettings;
  nodes: WorkflowNode[];
}

export const ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

/** Schema of the workflow envelope (node params are checked per node type; see composeSchema). */
export const workflowEnvelopeSchema = {
  $id: 'https://clearmap.ts/workflow.schema.json',
  title: 'ClearMap.ts workflow',
  type: 'object',
  required: ['version', 'nodes'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    version: { const: 1, description: 'Workflow format version.' },
    name: { type: 'string' },
    description: { type: 'string' },
    plugins: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Plugin packages or folders to load before validation.' },
    settings: {
      type: 'object',
      additionalProperties: false,
      properties: {
        chunkSizeMin: { type: 'integer', minimum: 1, description: 'Smallest chunk (z-planes).' },
        chunkSizeMax: { type: 'integer', minimum: 1, description: 'Largest chunk (z-planes).' },
        chunkBytesMax: { type: 'integer', minimum: 1, description: 'Largest input slab in bytes (bounds memory per worker).' },
        workerMemoryMax: { type: 'integer', minimum: 1, description: "Memory one worker may use for a chunk, in bytes (default: 60% of RAM / workers); chunks are sized from it and the nodes' working memory per voxel." },
        tileSizeMax: { type: 'integer', minimum: 0, description: 'Largest x/y tile (pixels) for chains whose nodes support x/y tiles; 0 = whole planes only. Default: tiles when that finishes sooner (large planes, shallow stacks).' },
        executor: { enum: ['local', 'slurm', 'bullmq'], description: "Where chunk tasks run: 'local' threads (default), 'slurm' array jobs or a 'bullmq' queue; --executor overrides. Never part of a cache key." },
        localWorkers: { enum: ['processes', 'threads'], description: "What this machine's workers are: child 'processes' (default; worker threads of one process slow each other down through shared memory mappings) or worker 'threads'; --local-workers overrides. Never part of a cache key." },
      },
    },
    nodes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'type'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          type: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          params: { type: 'object' },
          inputs: { type: 'object', additionalProperties: { type: 'string', pattern: '^[^.]+\\.[^.]+$' } },
          materialize: { type: 'boolean' },
        },
      },
    },
  },
} as const;
