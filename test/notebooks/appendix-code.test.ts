// The appendix's code (notebooks/appendix/generate.ts, shown on the page as it is) run against the
// bundled gutenberg-4m model: it yields exactly STEPS tokens, the same ones on every run for its seed,
// and the page states those numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, PROMPT, SEED, STEPS } from '../../notebooks/appendix/generate.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = `${root}public/models/gutenberg-4m`;

describe('appendix: the code', () => {
  it(`produces ${STEPS} tokens, deterministically for seed ${SEED}`, async () => {
    const a = await generate(modelDir);
    const b = await generate(modelDir);
    assert.equal(a.ids.length, STEPS);
    assert.deepEqual(b.ids, a.ids);
    assert.equal(b.text, a.text);
    assert.ok(a.text.startsWith(PROMPT) && a.text.length > PROMPT.length);
  });

  it('the page shows this file and states its numbers', () => {
    const mdx = readFileSync(`${root}site/content/chapters/en/11-appendix-code.mdx`, 'utf8');
    assert.match(mdx, /notebooks\/appendix\/generate\.ts\?raw/);
    assert.match(mdx, new RegExp(`exactly ${STEPS} tokens`));
    assert.match(mdx, new RegExp(`seed ${SEED}\\b`));
  });
});
