// The public API: everything a plugin or an embedding application may import (package 'clearmap-ts').
// Plugins must not import engine internals; tools/check-plugin-imports enforces it.
import 'reflect-metadata';

export type { NodeType, WholeNodeType, ChunkNodeType, ChunkKernel, ChunkContext, ChunkOutputKind, NodeContext, PortSpec, ParamsSchema, PoolTask } from './core/node-type.js';
export type { Artefact, VolumeRef, PointsArtefact, TableArtefact, TransformArtefact, FileArtefact, JsonArtefact, PortType, Region, SlabReader } from './core/artefacts.js';
export type { EngineEvent, RunSummary, NodeSummary, NodeStatus } from './core/events.js';
export { NODE_TYPE, nodeTypesModule, NodeRegistry } from './core/registry.js';
/** What a plugin's entry point exports by default (an inversify ContainerModule). */
export type { ContainerModule as PluginModule } from 'inversify';
export { WorkflowError, NodeError } from './core/errors.js';
export type { ChunkGeometry } from './data/chunk.js';
export { planChunks } from './data/chunk.js';
export * from './data/volume.js';
export * from './data/points.js';
export { type Table, type Cell, tableToCsv } from './data/table.js';
export { rawVolumeRef, readRawRegion, writeMhdHeader } from './data/raw-volume.js';
export { readRegion } from './data/read.js';
export { seededRandom, gaussianRandom } from './data/random.js';
// image kernels plugin detectors build on
export { cellsFromMask, type CellOptions } from '../nodes/kernels/cells-from-mask.js';
export { createRegistry, loadWorkflow, runWorkflow, applyOverrides, type RunOptions, type RunResult } from './engine.js';
export type { Workflow, WorkflowNode } from './workflow/format.js';
