// Moved to engine/data/atomic.ts (one atomic writer, also in the public API). This re-export only keeps
// imports from branches developed in parallel compiling; import engine/data/atomic.js instead.
export { AtomicFile, writeFileAtomic, writeFilesAtomic } from '../../../engine/data/atomic.js';
