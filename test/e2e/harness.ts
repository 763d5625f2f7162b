// Helpers for the end-to-end tests: the static server and Chromium launcher the benchmarks use
// too (bench/harness.ts), and axe. The tests need `astro build` to have produced dist/ first.
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export { browserArgs, chromiumPath, collectConsoleErrors, distDir, launchBrowser, mimeType, openPage, showControls, startPreview, visitFigures } from '../../bench/harness.ts';

/** One accessibility rule that failed, with the elements that fail it (axe-core's Result). */
export type AxeViolation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** Run axe on the page as it is now (WCAG 2.x A and AA plus best practices); returns the violations. */
export async function checkAxe(page: Page): Promise<AxeViolation[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return results.violations;
}

/** One line per axe violation and node, for assertion messages. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`))
    .join('\n');
}
