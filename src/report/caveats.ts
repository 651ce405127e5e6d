// What the preflight could not read but that leaves its verdicts standing (src/iam/index.ts):
// unreadable deny policies, org policies the deployer may not read. Said once, as a NOTE under
// the callout, however many targets met the same caveat.
import type { RunResult } from '../model.ts';
import { oneLine } from '../output/escape.ts';
import { mdProse } from './prose.ts';

/** Every distinct caveat of these results, in the order first met. */
export function caveatsOf(results: readonly RunResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.caveats ?? []))];
}

/** A GitHub NOTE callout listing each caveat once, or undefined when there are none. */
export function renderCaveats(caveats: readonly string[] | undefined): string | undefined {
  const distinct = [...new Set(caveats ?? [])];
  if (distinct.length === 0) return undefined;
  // One line each: a newline in a caveat would end the blockquote and the list item.
  const items = distinct.map((c) => `> - ${mdProse(oneLine(c))}`);
  const head = `> **${distinct.length === 1 ? 'A caveat' : `${distinct.length} caveats`} of the IAM checks:** each verdict stands as the policies the deployer can read show it.`;
  return ['> [!NOTE]', head, ...items].join('\n');
}
