// The appendix's code (notebooks/appendix/generate.ts, shown on the page as it is) run against the
// bundled gutenberg-4m model: it yields exactly STEPS tokens, the same ones on every run for its seed,
// and the page states those numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, PROMPT, SAMPLING, SEED, STEPS } from '../../notebooks/appendix/generate.ts';
import { sourceRegion, sourceRegions } from '../../notebooks/appendix/source-region.ts';

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

  it('in both editions the page\'s controls start at the file\'s own settings', () => {
    // Controls.astro's defaults, read from its props line: `const { prompt = '…', temperature = 0.8, … } = Astro.props;`
    const astro = readFileSync(`${root}site/components/Controls.astro`, 'utf8');
    const defaults = new Map([...astro.matchAll(/(\w+) = ('[^']*'|[\d.]+)/g)].map((m) => [m[1], m[2].replace(/^'|'$/g, '')]));
    for (const lang of ['en', 'zh-cn']) {
      const mdx = readFileSync(`${root}site/content/chapters/${lang}/11-appendix-code.mdx`, 'utf8');
      const props = mdx.match(/<Controls([^>]*)\/>/)?.[1];
      assert.ok(props !== undefined, `${lang}: the page mounts Controls`);
      const prop = (name: string) => props.match(new RegExp(`\\b${name}=(?:\\{([^}]*)\\}|"([^"]*)")`))?.slice(1).find((x) => x !== undefined)?.replace(/^'|'$/g, '') ?? defaults.get(name);
      assert.equal(prop('prompt'), PROMPT, lang);
      assert.equal(Number(prop('temperature')), SAMPLING.temperature, lang);
      assert.equal(Number(prop('topK')), SAMPLING.topK, lang);
      assert.equal(Number(prop('topP')), SAMPLING.topP, lang);
      assert.equal(Number(prop('seed')), SEED, lang);
    }
  });
});

describe('appendix: the loop inside session.run, from model/tick.ts', () => {
  const tick = readFileSync(`${root}model/tick.ts`, 'utf8');
  it('the regions the page shows exist and hold the loop: feed, forward pass, draw, append; run calls tick', () => {
    const one = sourceRegions(tick, ['tick-feed', 'tick-forward', 'tick-draw']);
    for (const s of ['this.ids.slice(cache.length', 'await forward(config, weights, feed, cache', 'sample(logits, this.sampling, tickDraw(this.seed, index))', 'this.ids.push(s.id)']) {
      assert.ok(one.includes(s), s);
    }
    assert.ok(!one.includes('#region') && !/^\s/.test(one), 'markers removed, indent removed');
    assert.ok(one.split('\n').length <= 24, `${one.split('\n').length} lines`);
    const run = sourceRegions(tick, ['tick-run']);
    assert.match(run, /await this\.tick\(/);
    assert.match(run, /eotId/);
  });
  it('both editions show those regions', () => {
    for (const lang of ['en', 'zh-cn']) {
      const mdx = readFileSync(`${root}site/content/chapters/${lang}/11-appendix-code.mdx`, 'utf8');
      assert.match(mdx, /model\/tick\.ts\?raw/);
      assert.match(mdx, /sourceRegions\(tickSource, \['tick-feed', 'tick-forward', 'tick-draw'\]\)/);
      assert.match(mdx, /sourceRegions\(tickSource, \['tick-run'\]\)/);
    }
  });
  it('a missing region is an error, not an empty listing', () => {
    assert.throws(() => sourceRegion(tick, 'no-such-region'), /no region/);
  });
});
