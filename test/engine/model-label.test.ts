// What a reader calls a model, in the page's language: the engine worker has no <html lang>, so the
// page names it with its locale (engine/client.ts) and the worker sets it (engine/worker.ts).
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { setLocale } from '../../components/i18n/index.ts';
import { choiceLabel } from '../../engine/model-source.ts';
import { HUB_URL } from '../../model/download.ts';

after(() => setLocale(null));

it('a model from a Hub mirror is labelled in the page language; one from the Hub by its name alone', () => {
  const mirror = { kind: 'hub' as const, hub: 'https://mirror.example', repo: 'distilbert/distilgpt2' };
  setLocale('en');
  assert.equal(choiceLabel(mirror, 'gutenberg-4m'), 'distilbert/distilgpt2 (from https://mirror.example)');
  setLocale('zh-cn');
  assert.equal(choiceLabel(mirror, 'gutenberg-4m'), 'distilbert/distilgpt2（来自 https://mirror.example）');
  assert.equal(choiceLabel({ ...mirror, hub: HUB_URL }, 'gutenberg-4m'), 'distilbert/distilgpt2');
});
