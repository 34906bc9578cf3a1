// The public API: everything a plugin or an embedding application may import (package 'clearmap-ts').
// Plugins must not import engine internals; tools/check-plugin-imports enforces it.
import 'reflect-metadata';

export type { NodeType, WholeNodeType, ChunkNodeType, ChunkKernel, ChunkContext, ChunkOutputKind, NodeContext, PortSpec, ParamsSchema, Params, ParamsOf, PoolTask } from '../engine/core/node-type.js';
export { defineWholeNode, defineChunkNode, paramsSchema } from '../engine/core/node-type.js';
export type { Artefact, VolumeRef, PointsArtefact, TableArtefact, TransformArtefact, FileArtefact, JsonArtefact, PortType, Region, SlabReader } from '../engine/core/artefacts.js';
export type { EngineEvent, RunSummary, NodeSummary, NodeStatus } from '../engine/core/events.js';
export { NODE_TYPE, nodeTypesModule, pluginModule, NodeRegistry } from '../engine/core/registry.js';
export { serviceToken, type Service, type ServiceToken, type Services, type ServiceBinding } from '../engine/core/services.js';
// engine services plugins may use or replace
export { REGISTRATION_BACKEND, type RegistrationBackend, type RegistrationRequest } from '../nodes/alignment/lib/registration.js';
export { ATLAS_REGISTRY, localAtlasRegistry, readAtlasFolder, type AtlasRegistry, type AtlasListing, type AtlasFolder, type AtlasMetadata } from '../nodes/analysis/lib/atlas/atlas-store.js';
export { EVENT_SINK, type EventSink } from '../engine/core/events.js';
export { FILE_RESOLVER, workflowFolderResolver, type FileResolver } from '../engine/workflow/paths.js';
/** What a plugin's entry point exports by default (an inversify ContainerModule). */
export type { ContainerModule as PluginModule } from 'inversify';
export { WorkflowError, NodeError } from '../engine/core/errors.js';
export type { ChunkGeometry, TileGeometry, Box } from '../engine/data/chunk.js';
export { planChunks, planTiles, withTiles, readBox, coreBox } from '../engine/data/chunk.js';
export * from '../engine/data/volume.js';
export * from '../engine/data/points.js';
export { type Table, type Cell, tableToCsv } from '../engine/data/table.js';
export { rawVolumeRef, readRawRegion, writeMhdHeader } from '../engine/data/raw-volume.js';
export { readRegion } from '../engine/data/read.js';
export { readNpy, writeNpy, encodeNpy, decodeNpy, type NpyArray, type NpyData } from '../engine/data/npy.js';
export { AtomicFile, writeFileAtomic, writeFilesAtomic } from '../engine/data/atomic.js';
export { seededRandom, gaussianRandom } from '../engine/data/random.js';
// image kernels plugin detectors build on: the subpath 'clearmap-ts/kernels' (app/kernels.ts)
export { createRegistry, loadWorkflow, runWorkflow, applyOverrides, type RunOptions, type RunResult } from './engine.js';
export { runNode, type RunNodeOptions, type RunNodeResult } from './run-node.js';
export type { Workflow, WorkflowNode } from '../engine/workflow/format.js';
