// Types of the `colormap` npm package (it ships none): colormap({ colormap, nshades, format }).
declare module 'colormap' {
  interface Options { colormap?: string; nshades?: number; format?: 'hex' | 'rgb' | 'rgbaString' | 'float' | 'rgba'; alpha?: number | number[] }
  function createColormap(opts?: Options): number[][];
  export default createColormap;
}
