// Group statistics for heat maps and region tables (ClearMap Analysis/Statistics.py and Analysis/Tools).
export * from './statistics/special.js';
export * from './statistics/ttest.js';
export * from './statistics/group-maps.js';
export * from './statistics/multiple-comparison.js';
export * from './statistics/distribution-tests.js';
