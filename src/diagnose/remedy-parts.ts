// What every remedy builder shares: the evidence and input it is handed, shell-safe command
// parts, and the optional parts a finding gains once the facts behind them are known.
import { shellQuote } from '../iam/commands.ts';
import type { Finding, Subject } from '../model.ts';

export interface Base {
  evidence: string;
  subject?: Subject;
}

/** The parts that are known, space-separated (an unknown optional flag is left out). */
export function cmd(parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined).join(' ');
}

export function flag(name: string, value: string): string {
  return `--${name}=${shellQuote(value)}`;
}

/** The input a finding points at; it comes last so every output lists a finding's fields alike. */
export function withSubject(f: Finding, subject: Subject | undefined): Finding {
  if (subject) f.subject = subject;
  return f;
}

/** The resource a finding is about and the command that inspects it, when the facts name them. */
export function located(f: Finding, where: { resource: string; command: string } | undefined): Finding {
  if (where) {
    f.resource = where.resource;
    f.command = where.command;
  }
  return f;
}

export function saResource(email: string, project: string | undefined): string {
  return `projects/${project ?? '-'}/serviceAccounts/${email}`;
}
