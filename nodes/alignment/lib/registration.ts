// The registration backend: an engine service the 'elastix' node gets from ctx.services. The built-in
// runs elastix (native, or the embedded WebAssembly build); a plugin may bind another implementation
// (e.g. ANTs) to REGISTRATION_BACKEND, and its id then joins the cache key of registration nodes.
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import { serviceToken, type Service } from '../../../engine/core/services.js';

export interface RegistrationRequest {
  fixed: VolumeRef;
  moving: VolumeRef;
  /** elastix parameter files (absolute paths), applied in order */
  parameterFiles: string[];
  randomSeed: number;
  /** the node's `backend` param: which elastix build the built-in uses */
  backend: 'auto' | 'native' | 'wasm';
  /** write TransformParameters.<i>.txt (elastix format, fixed voxels -> moving voxels) here */
  outDir: string;
}

export interface RegistrationBackend extends Service {
  register(request: RegistrationRequest, ctx: NodeContext): Promise<void>;
}

export const REGISTRATION_BACKEND = serviceToken<RegistrationBackend>('registration-backend');
