// The column budget the report tests hold GFM tables to. github.com's Markdown column is ~760px
// (COLUMN_PX in scripts/demo/render-html.ts); a table cell pads 13px each side (+1px border) and
// cannot be narrower than its longest unbreakable word, ~7.5px a character (14px text, 11.9px
// monospace). A table's narrowest layout must fit the column.
import type { Token, Tokens } from 'marked';

export const CELL_PAD_PX = 27;
export const CHAR_PX = 7.5;

/** The narrowest layout of a table: per column, its longest unbreakable word as `text` shows a cell. */
export function minTableWidth(table: Tokens.Table, text: (tokens: readonly Token[]) => string): number {
  return table.header
    .map((_, col) => {
      const cells = [table.header[col], ...table.rows.map((r) => r[col])];
      const longest = Math.max(
        ...cells.map((c) =>
          Math.max(
            0,
            ...text(c?.tokens ?? [])
              .split(/\s+/)
              .map((w) => [...w].length),
          ),
        ),
      );
      return longest * CHAR_PX + CELL_PAD_PX;
    })
    .reduce((a, b) => a + b, 0);
}
