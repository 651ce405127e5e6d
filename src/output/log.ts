// The one writer: every line the action prints (log lines, annotations, the failure, the job
// summary) goes through here, neutralised, so no value from a file, an input or an API can
// start a workflow command (`::x::`, `##[x]`) or hide text with control or bidi characters.
// Nothing else in src/ calls @actions/core's printing functions (test/output-writer.test.ts
// keeps it so).
import * as core from '@actions/core';
import { forLog, oneLine, redactTokens } from './escape.ts';

export type AnnotationProperties = core.AnnotationProperties;

/** Annotation properties on one line, file paths and titles neutralised too. */
function safeProperties(p: AnnotationProperties | undefined): AnnotationProperties | undefined {
  if (!p) return undefined;
  const out: AnnotationProperties = { ...p };
  if (p.title !== undefined) out.title = oneLine(p.title);
  if (p.file !== undefined) out.file = oneLine(p.file);
  return out;
}

export interface Log {
  info(text: string): void;
  debug(text: string): void;
  warning(text: string, properties?: AnnotationProperties): void;
  error(text: string, properties?: AnnotationProperties): void;
  notice(text: string, properties?: AnnotationProperties): void;
}

export const log: Log = {
  info: (text) => core.info(forLog(text)),
  debug: (text) => core.debug(forLog(text)),
  warning: (text, p) => core.warning(forLog(text), safeProperties(p)),
  error: (text, p) => core.error(forLog(text), safeProperties(p)),
  notice: (text, p) => core.notice(forLog(text), safeProperties(p)),
};

/** Fail the step with a reason (it can quote API messages and inputs). */
export function fail(reason: string): void {
  core.setFailed(forLog(reason));
}

/** Append Markdown to the job summary (its builders escape with md(); controls are stripped here too). */
export async function writeSummary(markdown: string): Promise<void> {
  await core.summary.addRaw(forLog(markdown)).write();
}

/** Set a step output; a value shaped like a token is redacted (outputs are printed and stored). */
export function setOutput(name: string, value: string): void {
  core.setOutput(name, redactTokens(value));
}
