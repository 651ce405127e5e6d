// One annotation per finding that is not simply satisfied, on the line that set the value
// when locate() found it. @actions/core escapes %, CR and LF of the message and properties;
// forLog/oneLine remove what it leaves (controls, bidi overrides, command-looking lines).
import type { Finding } from '../model.ts';
import { forLog, oneLine } from '../output/escape.ts';
import { type AnnotationProperties, log } from '../output/log.ts';
import { actorFor } from './actors.ts';
import { FINDING_WORD } from './vocabulary.ts';

export type Level = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: Level;
  message: string;
  properties: AnnotationProperties;
}

const LEVEL: Partial<Record<Finding['status'], Level>> = {
  missing: 'error',
  failed: 'error',
  unverified: 'warning',
  warning: 'warning',
  granted: 'notice',
};

/** Pure: the annotation a finding produces, or none for a satisfied check. */
export function annotationFor(f: Finding): Annotation | undefined {
  const level = LEVEL[f.status];
  if (!level) return undefined;
  const properties: AnnotationProperties = {
    title: oneLine(`${f.check} (${FINDING_WORD[f.status]}): ${f.title}`),
  };
  if (f.location) {
    properties.file = oneLine(f.location.file);
    properties.startLine = f.location.line;
  }
  // A binding `iam: fix` made now holds: say what was granted, not what to grant.
  if (f.status === 'granted') {
    const g = f.grant;
    const what = g ? `Granted ${g.role} to ${g.member} on ${g.resource}.` : f.title;
    return { level, message: forLog(what), properties };
  }
  // The title already says what is wrong; the message says what to do about it.
  const lines = [f.remedy ?? f.title];
  const actor = actorFor(f);
  if (actor.permission)
    lines.push(
      actor.byFix && actor.deployerMay === true
        ? `Who: the deployer can close this with iam: fix (it holds ${actor.permission} there).`
        : actor.byFix && actor.deployerMay === false
          ? `Who: an administrator must (the deployer lacks ${actor.permission} there); run the command below.`
          : actor.byFix
            ? `Who: the deployer, by re-running with iam: fix, if it holds ${actor.permission} there; otherwise an administrator who does.`
            : `Who: an administrator who holds ${actor.permission}.`,
    );
  if (f.command) lines.push(`Run: ${f.command}`);
  lines.push(`Evidence: ${f.evidence}`);
  return { level, message: forLog(lines.join('\n')), properties };
}

const EMIT: Record<Level, (message: string, properties: AnnotationProperties) => void> = {
  error: log.error,
  warning: log.warning,
  notice: log.notice,
};

export function annotate(findings: Finding[]): number {
  let n = 0;
  for (const f of findings) {
    const a = annotationFor(f);
    if (!a) continue;
    EMIT[a.level](a.message, a.properties);
    n++;
  }
  return n;
}
