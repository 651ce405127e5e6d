// Many jobs and regions in one step: `region` as a list, `metadata` as a list or glob of
// job.yaml files. Each (job.yaml, region) pair becomes one target, a Config of its own with one
// region and at most one job.yaml; one region and one file is today's single target.
import { globSync } from 'node:fs';
import type { Config } from '../model.ts';
import { type Bad, splitList } from './lists.ts';

/** Finds the workspace files a glob matches (relative paths); injectable for tests. */
export type Glob = (pattern: string, cwd: string) => string[];
export const fsGlob: Glob = (pattern, cwd) => globSync(pattern, { cwd });

/** The regions of the `region` input: one, or a list (one per line, or comma separated). */
export function parseRegions(raw: string, re: RegExp, bad: Bad): string[] {
  const regions: string[] = [];
  for (const region of splitList(raw)) {
    if (!re.test(region)) bad('region', 'a Cloud Run region like us-central1 (or a list of them)', region);
    else if (!regions.includes(region)) regions.push(region);
  }
  return regions.length ? regions : ['us-central1'];
}

const GLOB = /[*?[{]/;

/**
 * At most this many job.yaml files in one step: as wide as a workflow's own fan-out may go (a
 * matrix generates at most 256 jobs per workflow run,
 * https://docs.github.com/enterprise-server@3.0/actions/using-jobs/using-a-build-matrix-for-your-jobs).
 * A glob that matches more is almost always too broad (a whole tree), and is refused before any call.
 */
export const MAX_METADATA_FILES = 256;

/**
 * The job.yaml paths of the `metadata` input: a path, a list of them, or globs (e.g.
 * `jobs/*.yaml`), matched in the workspace and sorted. A glob that matches nothing is a problem.
 */
export function metadataPaths(
  raw: string,
  workspace: string,
  glob: Glob,
  problem: (m: string) => void,
): string[] {
  const paths: string[] = [];
  for (const entry of splitList(raw)) {
    const found = GLOB.test(entry) ? glob(entry, workspace).sort() : [entry];
    if (found.length === 0)
      problem(`Input "metadata": ${JSON.stringify(entry)} matches no file in the workspace`);
    for (const path of found) if (!paths.includes(path)) paths.push(path);
  }
  if (paths.length > MAX_METADATA_FILES) {
    problem(
      `Input "metadata" matches ${paths.length} files, more than the ${MAX_METADATA_FILES} one step deploys: narrow the glob (e.g. jobs/*.yaml), or split the files across the jobs of a matrix`,
    );
    return paths.slice(0, MAX_METADATA_FILES);
  }
  return paths;
}

/** One Config per (job.yaml, region) target, in input order: files first, then regions. */
export function expandTargets(config: Config): Config[] {
  const { regions, metadataFiles, ...base } = config;
  const files: (string | undefined)[] = metadataFiles ?? [config.metadata];
  return files.flatMap((file) =>
    (regions ?? [config.region]).map((region) => {
      const target: Config = { ...base, region };
      if (file !== undefined) target.metadata = file;
      return target;
    }),
  );
}
