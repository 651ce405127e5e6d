// A Mermaid `flowchart LR` of who needs what: one node per principal and per resource (the
// runtime account is one node whether it needs a role or is the resource of one), human
// labels, the role and its word (vocabulary.ts) on each edge, gaps drawn thickest and red.
// Every label is reduced to safe characters plus Mermaid entity codes (#NNN;), so API text
// cannot break out of a label or inject directives.
import type { DeployPlan, Finding } from '../model.ts';
import { identityKey, nameOf, plainName, shortRole } from './names.ts';
import { FINDING_WORD, type FindingWord } from './vocabulary.ts';

/** Label text for Mermaid: anything beyond a plain set becomes a numeric entity code. */
export function mermaidText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return [...flat].map((c) => (/[A-Za-z0-9 @._:/-]/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

/** Edge look per word: colours that read on GitHub's light and dark backgrounds alike. */
const EDGE: Record<FindingWord, { arrow: string; style: string }> = {
  missing: { arrow: '==>', style: 'stroke:#d1242f,stroke-width:4px' },
  failed: { arrow: '==>', style: 'stroke:#d1242f,stroke-width:4px' },
  unverified: { arrow: '-.->', style: 'stroke:#bf8700,stroke-width:2px' },
  warning: { arrow: '-.->', style: 'stroke:#bf8700,stroke-width:2px' },
  fixed: { arrow: '==>', style: 'stroke:#218bff,stroke-width:3px' },
  ok: { arrow: '-->', style: 'stroke:#8c959f,stroke-width:1px' },
};

/** What the edges mean, in the words the tables use (shown under the graph). */
export const LEGEND =
  'Legend: thick red = missing (or failed) · blue = fixed by `iam: fix` · dotted amber = unverified · thin grey = ok. Arrows point from who needs the role to what it is needed on.';

export function renderMermaid(
  findings: readonly Finding[],
  plan?: Pick<DeployPlan, 'project' | 'projectNumber' | 'serviceAccount' | 'serviceAgent' | 'deployer'>,
): string | undefined {
  const nodes = new Map<string, { id: string; label: string; gap: boolean }>();
  const node = (name: string) => {
    const key = identityKey(name);
    let n = nodes.get(key);
    if (!n) {
      n = { id: `n${nodes.size}`, label: plainName(nameOf(name, plan)), gap: false };
      nodes.set(key, n);
    }
    return n;
  };
  const edges: string[] = [];
  const styles = new Map<string, number[]>();
  for (const f of findings) {
    if (!f.resource) continue;
    const word = FINDING_WORD[f.status];
    const gap = word === 'missing' || word === 'failed';
    const to = node(f.resource);
    if (!f.principal) {
      to.gap ||= gap;
      continue;
    }
    const from = node(f.principal);
    if (gap) to.gap = from.gap = true;
    const what = f.role ? shortRole(f.role) : (f.permission ?? f.check);
    const look = EDGE[word];
    const list = styles.get(look.style) ?? [];
    list.push(edges.length);
    styles.set(look.style, list);
    edges.push(`  ${from.id} ${look.arrow}|"${mermaidText(`${what} (${word})`)}"| ${to.id}`);
  }
  if (nodes.size === 0) return undefined;
  const lines = ['flowchart LR'];
  for (const n of nodes.values()) lines.push(`  ${n.id}["${mermaidText(n.label)}"]`);
  lines.push(...edges);
  for (const [style, ids] of styles) lines.push(`  linkStyle ${ids.join(',')} ${style}`);
  const gaps = [...nodes.values()].filter((n) => n.gap).map((n) => n.id);
  if (gaps.length) {
    // A dark text colour on the pale fill: readable in GitHub's dark theme too.
    lines.push('  classDef gap fill:#ffebe9,stroke:#d1242f,stroke-width:2px,color:#1f2328');
    lines.push(`  class ${gaps.join(',')} gap`);
  }
  return lines.join('\n');
}
