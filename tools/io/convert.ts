// Convert a volume between formats (TIFF stack, per-plane TIFF pattern, MHD/RAW, NRRD, OME-Zarr; Imaris .ims as a source):
//   node dist/tools/io/convert.js <source> <dest> [--z 0:100] [--voxel-size 2,2,5] [--to nrrd] [--gzip] [--level 1 --channel 0]
import { Command } from 'commander';
import { convertVolume } from '../../nodes/io/lib/convert.js';
import type { UserRange } from '../../nodes/io/lib/formats.js';

const range = (s: string): UserRange => {
  const m = /^(-?\d*):(-?\d*)$/.exec(s);
  if (!m) throw new Error(`range '${s}': expected start:end (either may be empty, negative counts from the end)`);
  return [m[1] === '' ? null : Number(m[1]), m[2] === '' ? null : Number(m[2])];
};

const program = new Command()
  .name('convert')
  .argument('<source>', 'volume file or per-plane pattern such as "ch00\\d{3}.tif"')
  .argument('<dest>', 'output (.tif, .mhd, .nrrd, .zarr/.ome.zarr, or a pattern such as "Z\\d{4}.tif")')
  .option('--x <a:b>', 'x range', range).option('--y <a:b>', 'y range', range).option('--z <a:b>', 'z range', range)
  .option('--voxel-size <x,y,z>', 'voxel size in µm (overrides the file)', (s) => s.split(',').map(Number) as [number, number, number])
  .option('--from <format>', 'source format override').option('--to <format>', 'destination format override')
  .option('--level <n>', 'IMS / OME-Zarr source: resolution level', Number)
  .option('--timepoint <n>', 'IMS / OME-Zarr source: timepoint', Number)
  .option('--channel <n>', 'multi-channel TIFF / IMS / Zarr source: channel', Number)
  .option('--gzip', 'NRRD, Zarr: gzip the data')
  .option('--bigtiff', 'TIFF: force BigTIFF')
  .option('--levels <n>', 'Zarr: resolution levels to write (2x2x2 means)', Number);
program.parse();
const [source, dest] = program.args;
const o = program.opts();
const t0 = performance.now();
try {
  const files = await convertVolume(source, dest, {
    from: o.from, range: { x: o.x, y: o.y, z: o.z }, voxelSize: o.voxelSize, level: o.level, timepoint: o.timepoint, channel: o.channel,
    to: { format: o.to, encoding: o.gzip ? 'gzip' : undefined, bigTiff: o.bigtiff, levels: o.levels },
    onProgress: (d, n) => process.stderr.write(`\r${d}/${n} planes`),
  });
  process.stderr.write('\n');
  console.log(`wrote ${files.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
} catch (e) {
  process.stderr.write('\n');
  console.error((e as Error).message);
  process.exit(1);
}
