// Sentences that quote e-mails, IAM members and resource names (titles, remedies, Google's
// messages). GitHub turns a bare `a@b.c` into a mailto: link and never breaks a long name;
// here every such token becomes inline code (inert, and allowed to wrap), the rest is md().
import { md, mdCode } from '../output/escape.ts';

/**
 * An e-mail, optionally with its IAM member prefix; or a resource path of two segments or
 * more (projects/p/secrets/s, organizations/1, //cloudresourcemanager.googleapis.com/...).
 */
const TOKEN =
  /(?:(?:serviceAccount|user|group|domain|deleted:serviceAccount):)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:\/\/[\w.-]+\/)?\b(?:projects|folders|organizations)\/[\w.@-]+(?:\/[\w.@-]+)*|principalSet:\/\/\S+/g;

/** Markdown prose whose e-mails and resource names are code. */
export function mdProse(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0].replace(/[.,;:)]+$/, '');
    out += md(text.slice(last, m.index)) + mdCode(token);
    last = m.index + token.length;
  }
  return out + md(text.slice(last));
}

/** Is every e-mail of this Markdown inside a code span or block? (the test's view of mdProse) */
export const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
