// Neutralising text that came from an API response or an input before it reaches the runner's
// log (workflow commands), an annotation, the job summary or a PR comment (Markdown + HTML).
// @actions/core escapes %, CR and LF inside a command's data and properties; what it does not
// cover is text we print ourselves, and Markdown/HTML rendering.

// C0/C1 controls (keeping \t and \n), and bidi overrides that can disguise text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const ZWSP = '\u200b';

// Defence in depth behind masking: whatever reaches a line, an output or a comment, text shaped
// like a Google OAuth access token (`ya29.` then base64url-ish characters) or a JWT (three
// base64url segments, the first a JSON header, so `eyJ`) is replaced. Short look-alikes in
// ordinary prose ("ya29." alone) are left alone: a token has at least a dozen characters.
const ACCESS_TOKEN = /\bya29\.[\w.-]{12,}/g;
const JWT = /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g;

/** `text` with anything shaped like an access token or a JWT replaced. */
export function redactTokens(text: string): string {
  return text.replace(JWT, '[redacted JWT]').replace(ACCESS_TOKEN, '[redacted access token]');
}

/** Safe to print with core.info: no line can start a workflow command (`::x::` or legacy `##[x]`). */
export function forLog(text: string): string {
  return redactTokens(text)
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/^(\s*)::/gm, `$1:${ZWSP}:`)
    .replace(/^(\s*)##\[/gm, `$1#${ZWSP}#[`);
}

/** One line (for annotation titles and table cells): line breaks become spaces. */
export function oneLine(text: string): string {
  return forLog(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Markdown text with no active syntax: HTML is entity-encoded, Markdown punctuation is
 * backslash-escaped (links, images, emphasis, code, tables), and @mentions are broken so a
 * message cannot ping a user or team. Emails (`a@b`) are left readable.
 */
export function md(text: string): string {
  return forLog(text)
    .replace(/[&<>"]/g, (c) => HTML[c] ?? c)
    .replace(/[\\`*_[\]|~!#(){}]/g, (c) => `\\${c}`)
    .replace(/(^|[^\w.+-])@(?=[\w-])/g, `$1@${ZWSP}`)
    .replace(/^(\s*)([-+=])(?=\s)/gm, '$1\\$2')
    .replace(/^(\s*)(\d+)\.(?=\s)/gm, '$1$2\\.');
}

/** Markdown for one table cell: escaped, on one line. */
export function mdCell(text: string): string {
  return md(oneLine(text));
}

/**
 * Inline code: a backtick fence longer than any run inside it. Pipes are escaped because GFM
 * splits table rows before it parses code spans; HTML is inert inside code.
 */
export function mdCode(text: string): string {
  const flat = oneLine(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block that the content cannot close early. */
export function mdCodeBlock(text: string, lang = ''): string {
  const body = forLog(text);
  const longest = Math.max(2, ...(body.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** A URL fit for a Markdown link target: http(s) only, no characters that end the target. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.href.replace(
      /[()<> "'`]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
  } catch {
    return undefined;
  }
}

/** A Markdown link whose text and target are both inert. */
export function mdLink(text: string, url: string | undefined): string {
  const target = safeUrl(url);
  return target ? `[${md(text)}](${target})` : md(text);
}
