// Build-time constants (esbuild `define` in scripts/build.mjs; `define` in vitest.config.ts).
declare const __ACTION_VERSION__: string;
