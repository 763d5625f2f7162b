// Chapter 9's class race (notebooks/chapters/09-cost-speed/race.ts): a device's line reads back as
// the same result, anything else is refused with a reason (never read as markup), the summary is
// the class's; and on a real engine, "Make my result" writes a line whose speeds are the run's
// ticks and whose recompute is the engine's, and the pasted class is drawn as a table.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName, formatRace, median, parseRace, parseRaceLines, raceSummary, raceTimes, type RaceResult } from '../../notebooks/chapters/09-cost-speed/race.ts';
import * as chapter from '../../notebooks/chapters/09-cost-speed/index.ts';
import { openChapter, type Page } from './page.ts';
import { smallEngine } from './small-model.ts';
import type { TickSummary } from '../../engine/protocol.ts';
import type { Engine } from '../../engine/engine.ts';

const r: RaceResult = { model: 'gutenberg-4m', backend: 'wasm', decode: 34.56, prefill: 812.4, recompute: 9.126, context: 12, name: 'Ana’s laptop' };

describe('class race lines', () => {
  it('a line reads back as the result, rounded as written', () => {
    const line = formatRace(r);
    assert.equal(line, 'tokenclock-race 1 model=gutenberg-4m backend=wasm decode=34.6 prefill=812 recompute=9.13 context=12 name=Ana’s laptop');
    assert.deepEqual(parseRace(line), { ...r, decode: 34.6, prefill: 812, recompute: 9.13 });
    assert.deepEqual(parseRace(formatRace({ ...r, name: '' })), { ...r, decode: 34.6, prefill: 812, recompute: 9.13, name: '' });
  });

  it('refuses what is not a line, with the reason and the field', () => {
    assert.deepEqual(parseRace('hello'), { refused: 'not-a-race-line' });
    assert.deepEqual(parseRace('tokenclock-race 2 model=a'), { refused: 'version' });
    assert.deepEqual(parseRace('tokenclock-race 1 model=a backend=wasm decode=1 prefill=1 recompute=1'), { refused: 'missing', field: 'context' });
    assert.deepEqual(parseRace('tokenclock-race 1 model=a backend=wasm decode=1e3 prefill=1 recompute=1 context=2'), { refused: 'not-a-number', field: 'decode' });
    assert.deepEqual(parseRace('tokenclock-race 1 model=a backend=wasm decode=1 prefill=1 recompute=1 context=2.5'), { refused: 'out-of-range', field: 'context' });
    assert.deepEqual(parseRace('tokenclock-race 1 model=<img/src=x> backend=wasm decode=1 prefill=1 recompute=1 context=2'), { refused: 'not-a-race-line', field: 'model' });
    assert.deepEqual(parseRace('tokenclock-race 1 model=a model=b backend=wasm decode=1 prefill=1 recompute=1 context=2'), { refused: 'not-a-race-line' });
    assert.equal(cleanName(' a\u0000b\u202e  c '), 'a b c');
    assert.equal(cleanName('x'.repeat(60)).length, 40);
  });

  it('a paste: results in order, duplicates once, blank lines skipped, refused lines numbered; the summary is the class’s', () => {
    const a = formatRace(r);
    const b = formatRace({ ...r, decode: 10, recompute: 3, name: 'phone' });
    const { results, refused } = parseRaceLines(`${a}\n\n${b}\r\n${a}\nnot a line <b>x</b>\n`);
    assert.deepEqual(results.map((x) => x.name), ['Ana’s laptop', 'phone']);
    assert.deepEqual(refused.map((x) => [x.line, x.refused, x.text]), [[5, 'not-a-race-line', 'not a line <b>x</b>']]);
    assert.deepEqual(raceSummary(results), { devices: 2, slowest: 10, fastest: 34.6, median: 22.3, spread: 3.46, minRecompute: 3 });
    assert.equal(raceSummary([]), null);
    assert.equal(median([3, 1, 2]), 2);
  });

  it('raceTimes: the decode ticks’ median forward time, the prefill’s tokens per second', () => {
    const tick = (kind: 'prefill' | 'decode', fed: number, forward: number) => ({ kind, fed, ms: { forward, sample: 0, total: forward } }) as TickSummary;
    assert.equal(raceTimes([tick('prefill', 8, 40)]), null);
    assert.deepEqual(raceTimes([tick('prefill', 8, 40), tick('decode', 1, 4), tick('decode', 1, 10), tick('decode', 1, 5)]), { decodeMs: 5, decode: 200, prefill: 200 });
  });
});

describe('chapter 9: the class race on a real engine', () => {
  let e: Awaited<ReturnType<typeof smallEngine>>;
  let page: Page;
  const ticks: TickSummary[] = []; // every tick the engine answered, as the page got it
  before(async () => {
    e = await smallEngine();
    const spy: Engine = {
      request: (async (req: Parameters<Engine['request']>[0]) => {
        const res = await e.engine.request(req);
        if (req.type === 'tick') ticks.push(res as TickSummary);
        return res;
      }) as Engine['request'],
      cancel: () => e.engine.cancel(),
    };
    page = await openChapter(chapter, ['timeline', 'race'], spy, e.info);
    await page.until('the model to be ready', () => /Model ready/.test(page.$('[data-role="status"]').textContent ?? ''));
  });
  after(async () => {
    page?.close();
    await e?.cleanup();
  });

  it('Make my result: a line of the run’s speeds and the engine’s recompute, added to the class, drawn as a table', async () => {
    const race = page.mounts.race!;
    const make = race.querySelector<HTMLButtonElement>('button[name="race-make"]')!;
    assert.equal(make.disabled, true, 'no decode tick yet');
    for (let i = 1; i <= 3; i++) {
      page.control('next-token').click();
      await page.until(`tick ${i}`, () => page.ticks() === i);
    }
    await page.until('the button', () => !make.disabled);
    race.querySelector<HTMLInputElement>('input[name="race-name"]')!.value = 'test <b>box</b>';
    make.click();
    await page.until('the line', () => (race.querySelector('[data-role="race-line"]')!.textContent ?? '') !== '');
    const line = race.querySelector('[data-role="race-line"]')!.textContent!;
    const got = parseRace(line) as RaceResult;
    assert.equal(got.name, 'test <b>box</b>');
    assert.equal(got.backend, 'wasm');
    assert.equal(got.context, e.host.session!.cache.length);
    const times = raceTimes(ticks)!;
    assert.ok(Math.abs(got.decode - times.decode) <= 0.05 + 1e-9);
    assert.ok(got.recompute > 0);
    assert.equal(race.querySelector<HTMLTextAreaElement>('textarea')!.value, line);
    const rows = race.querySelectorAll('[data-role="race-board"] tbody tr');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].querySelector('th')!.textContent, 'test <b>box</b>');
    assert.equal(race.querySelector('b'), null, 'names are text');
  });
});
