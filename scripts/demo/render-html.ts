// Renders a job summary or PR comment (GitHub-flavoured Markdown) to a standalone HTML page
// the way github.com shows it: marked with GFM tables and GitHub's alert boxes, github-markdown-css,
// an article column of github.com's width, and Mermaid 11 for ```mermaid blocks (GitHub's theme
// choice: `default` in light, `dark` in dark). The page loads CSS and Mermaid from node_modules,
// so it works offline from the folder it was written to.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';
import markedAlert from 'marked-alert';

/** github.com's Markdown column at a desktop window: the width tests and screenshots assume. */
export const COLUMN_PX = 760;

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Markdown -> HTML body, as GitHub's GFM parser would (tables, alerts, raw <details>). */
export function markdownToHtml(markdown: string): string {
  return new Marked({ async: false, gfm: true }).use(markedAlert()).parse(markdown) as string;
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => HTML[c] ?? c);

/**
 * A standalone page. `theme` is 'auto' (follows the browser), 'light' or 'dark'; `dir` is the
 * folder the page is written to (for the relative links to node_modules).
 */
export type Theme = 'auto' | 'light' | 'dark';

export function page(
  markdown: string,
  { title, theme = 'auto', dir }: { title: string; theme?: Theme; dir: string },
): string {
  const css = {
    auto: 'github-markdown.css',
    light: 'github-markdown-light.css',
    dark: 'github-markdown-dark.css',
  }[theme];
  const base = relative(dir, modules).split('\\').join('/');
  const bg = { auto: '', light: 'background:#ffffff;', dark: 'background:#0d1117;' }[theme];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${base}/github-markdown-css/${css}">
<style>
  body { margin: 0; ${bg} }
  @media (prefers-color-scheme: dark) { body { ${theme === 'auto' ? 'background:#0d1117;' : ''} } }
  /* github.com sets 14px in comments and job summaries (the package defaults to 16px, as READMEs). */
  .markdown-body { box-sizing: border-box; width: ${COLUMN_PX}px; margin: 0 auto; padding: 24px 16px; font-size: 14px; }
</style></head>
<body><article class="markdown-body">
${markdownToHtml(markdown)}
</article>
<script src="${base}/mermaid/dist/mermaid.min.js"></script>
<script>
  const dark = ${theme === 'dark'} || (${theme === 'auto'} && matchMedia('(prefers-color-scheme: dark)').matches);
  for (const code of document.querySelectorAll('pre > code.language-mermaid')) {
    const div = document.createElement('pre');
    div.className = 'mermaid';
    div.textContent = code.textContent;
    code.parentElement.replaceWith(div);
  }
  mermaid.initialize({ startOnLoad: false, theme: dark ? 'dark' : 'default', securityLevel: 'strict' });
  mermaid.run().then(() => { document.body.dataset.mermaid = 'done'; },
    (e) => { document.body.dataset.mermaid = 'error: ' + e; });
</script>
</body></html>
`;
}
