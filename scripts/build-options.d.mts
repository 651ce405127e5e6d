import type { BuildOptions } from 'esbuild';
export const ROOT: string;
export const buildOptions: BuildOptions & { metafile: true; write: false };
