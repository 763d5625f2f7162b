/**
 * Lines of a source file between `// #region NAME` and `// #endregion NAME`, so a page can show
 * the code it explains as it is, not a copy that may drift. No DOM.
 */

/** The lines of region `name` of `source`, without the markers, their common indent removed. */
export function sourceRegion(source: string, name: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s*// #region ${name}\\b`).test(l));
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^\\s*// #endregion ${name}\\b`).test(l));
  if (start < 0 || end < 0) throw new Error(`no region ${name} in the source`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return body.map((l) => l.slice(indent)).join('\n');
}

/** Several regions in order, with a `// …` line where code between them is left out. */
export function sourceRegions(source: string, names: readonly string[]): string {
  return names.map((n) => sourceRegion(source, n)).join('\n// …\n');
}
