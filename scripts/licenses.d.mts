import type { Metafile } from 'esbuild';
export function packageDirOf(input: string): string | undefined;
export function bundledPackageDirs(metafile: Metafile): string[];
export function renderLicenses(root: string, metafile: Metafile): string;
