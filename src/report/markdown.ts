// Markdown pieces shared by the job summary and the pull-request comment: status words,
// the checks table and the remedies. Every value passes through escape.ts.
import type { Finding, FindingStatus, SourceLocation } from '../model.ts';
import { md, mdCell, mdCode, mdCodeBlock } from './escape.ts';

export const STATUS_ICON: Record<FindingStatus, string> = {
  failed: '❌',
  missing: '❌',
  unverified: '❔',
  warning: '⚠️',
  granted: '🔧',
  satisfied: '✅',
};

const ORDER: FindingStatus[] = ['failed', 'missing', 'unverified', 'warning', 'granted', 'satisfied'];

/** Worst first, stable within a status. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
}

export function isGap(f: Finding): boolean {
  return f.status === 'missing' || f.status === 'failed';
}

export function needsAttention(f: Finding): boolean {
  return f.status !== 'satisfied' && f.status !== 'granted';
}

function codeOrDash(v: string | undefined): string {
  return v ? mdCode(v) : '—';
}

export function checksTable(findings: Finding[]): string {
  const rows = sortFindings(findings).map(
    (f) =>
      `| ${STATUS_ICON[f.status]} ${f.status} | ${mdCell(f.title)} (${mdCode(f.check)}) | ${codeOrDash(f.principal)} | ${codeOrDash(f.role ?? f.permission)} | ${codeOrDash(f.resource)} |`,
  );
  return [
    '| Status | Check | Principal | Role / permission | Resource |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function where(
  loc: SourceLocation | undefined,
  blobUrl?: (l: SourceLocation) => string | undefined,
): string {
  if (!loc) return '';
  const text = mdCode(`${loc.file}:${loc.line}`);
  const url = blobUrl?.(loc);
  return url ? ` — set at [${text}](${url})` : ` — set at ${text}`;
}

/** One block per finding that needs attention: what, why (evidence), how (remedy + command). */
export function remedies(
  findings: Finding[],
  blobUrl?: (l: SourceLocation) => string | undefined,
  withEvidence = true,
): string {
  return sortFindings(findings)
    .filter(needsAttention)
    .map((f) => {
      const parts = [`#### ${STATUS_ICON[f.status]} ${md(f.title)}${where(f.location, blobUrl)}`];
      if (f.remedy) parts.push(md(f.remedy));
      if (f.command) parts.push(mdCodeBlock(f.command, 'sh'));
      if (withEvidence)
        parts.push(
          `<details><summary>Evidence</summary>\n\n${mdCodeBlock(f.evidence, 'text')}\n\n</details>`,
        );
      return parts.join('\n\n');
    })
    .join('\n\n');
}
