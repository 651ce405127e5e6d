// The neutralising text functions live in src/output/ (every layer may use them); the report
// modules keep importing them from here.
export * from '../output/escape.ts';
