export function changelogSection(changelog: string, version: string): string | undefined;
export function release(
  cwd: string,
  version: string,
  options?: { push?: boolean; remote?: string },
): { tag: string; major: string; notes: string };
