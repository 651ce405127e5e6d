export const MARKERS: Record<'inputs' | 'outputs', [string, string]>;
export function renderTables(actionYml: string): { inputs: string; outputs: string };
export function updateReadme(readme: string, actionYml: string): string;
