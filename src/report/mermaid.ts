// A Mermaid `flowchart LR` of principals -> resources, one edge per finding, with gaps drawn as
// red dotted edges. Every label is reduced to safe characters plus Mermaid entity codes
// (#NNN;), so API text cannot break out of a label or inject directives.
import type { Finding } from '../model.ts';

/** Label text for Mermaid: anything beyond a plain set becomes a numeric entity code. */
export function mermaidText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return [...flat].map((c) => (/[A-Za-z0-9 @._:/-]/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

/** Short, recognisable names for IAM members and resource names. */
export function shortName(name: string): string {
  const wif = /^principalSet:\/\/.*\/attribute\.repository\/(.+)$/.exec(name);
  if (wif?.[1]) return `GitHub ${wif[1]}`;
  const member = /^(?:serviceAccount|user|group):(.+)$/.exec(name);
  if (member?.[1]) return member[1];
  const sa = /\/serviceAccounts\/([^/]+)$/.exec(name);
  if (sa?.[1]) return `SA ${sa[1]}`;
  const repo = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(name);
  if (repo?.[1]) return `repo ${repo[3]} in ${repo[1]}`;
  const secret = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(name);
  if (secret?.[1]) return `secret ${secret[2]} in ${secret[1]}`;
  return name;
}

const GAP = new Set(['missing', 'failed']);
const DOUBT = new Set(['unverified', 'warning']);

export function renderMermaid(findings: Finding[]): string | undefined {
  const nodes = new Map<string, string>();
  const id = (name: string) => {
    let n = nodes.get(name);
    if (!n) {
      n = `n${nodes.size}`;
      nodes.set(name, n);
    }
    return n;
  };
  const edges: string[] = [];
  const gapEdges: number[] = [];
  const doubtEdges: number[] = [];
  const gapNodes = new Set<string>();
  for (const f of findings) {
    if (!f.resource) continue;
    const to = id(f.resource);
    const label = mermaidText(`${f.status}: ${f.role ?? f.permission ?? f.check}`);
    if (!f.principal) {
      if (GAP.has(f.status)) gapNodes.add(to);
      continue;
    }
    const from = id(f.principal);
    const arrow = GAP.has(f.status) ? '-.->' : f.status === 'granted' ? '==>' : '-->';
    if (GAP.has(f.status)) gapEdges.push(edges.length);
    if (DOUBT.has(f.status)) doubtEdges.push(edges.length);
    edges.push(`  ${from} ${arrow}|"${label}"| ${to}`);
  }
  if (nodes.size === 0) return undefined;
  const lines = ['flowchart LR'];
  for (const [name, n] of nodes) lines.push(`  ${n}["${mermaidText(shortName(name))}"]`);
  lines.push(...edges);
  if (gapEdges.length) lines.push(`  linkStyle ${gapEdges.join(',')} stroke:#d1242f,stroke-width:2px`);
  if (doubtEdges.length) lines.push(`  linkStyle ${doubtEdges.join(',')} stroke:#bf8700`);
  if (gapNodes.size) {
    lines.push('  classDef gap fill:#ffebe9,stroke:#d1242f');
    lines.push(`  class ${[...gapNodes].join(',')} gap`);
  }
  return lines.join('\n');
}
