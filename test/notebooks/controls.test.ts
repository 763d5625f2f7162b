// The reader's inputs: every parser accepts what it should and refuses the rest with a message
// that says what is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrompt, parseSeed, parseTemperature, parseTopK, parseTopP } from '../../notebooks/controls.ts';
import { InputError } from '../../notebooks/runtime.ts';

const refuses = (f: () => unknown, message: RegExp) => assert.throws(f, (e: unknown) => e instanceof InputError && message.test(e.message));

test('parsePrompt keeps any printable text, tabs and newlines, and refuses empty prompts and control characters', () => {
  assert.equal(parsePrompt('a\tb\nc 中文 <img>'), 'a\tb\nc 中文 <img>');
  refuses(() => parsePrompt(''), /Type a prompt/);
  refuses(() => parsePrompt('  \n'), /Type a prompt/);
  refuses(() => parsePrompt('bell\u0007'), /control character \(U\+0007\) at position 5/);
  refuses(() => parsePrompt('x\u009b'), /U\+009B/);
  // The same cap as a shared link's prompt (and the fields' maxlength): 2,000 characters.
  assert.equal(parsePrompt('a'.repeat(2000)).length, 2000);
  refuses(() => parsePrompt('a'.repeat(2001)), /The prompt is 2001 characters; keep it to 2000/);
});

test('number fields: text, NaN, out-of-range and fractional values are refused; edges are kept', () => {
  assert.equal(parseTemperature('0'), 0);
  assert.equal(parseTemperature('1.5'), 1.5);
  for (const bad of ['', 'abc', 'NaN', '-0.1', '101', 'Infinity']) refuses(() => parseTemperature(bad), /Temperature must be a number/);
  refuses(() => parseTemperature('1', true), /Temperature/); // the browser's badInput: text typed into type=number
  assert.equal(parseTopK('0', 50257), 0);
  assert.equal(parseTopK('50257', 50257), 50257);
  for (const bad of ['50258', '2.5', '-1', 'x']) refuses(() => parseTopK(bad, 50257), /Top-k must be a whole number from 0 \(off\) to 50257/);
  assert.equal(parseTopP('1'), 1);
  assert.equal(parseTopP('0.01'), 0.01);
  for (const bad of ['0', '1.01', '-0.5', '']) refuses(() => parseTopP(bad), /Top-p must be/);
  assert.equal(parseSeed('4294967295'), 4294967295);
  for (const bad of ['4294967296', '1.5', '-1']) refuses(() => parseSeed(bad), /Seed must be a whole number/);
});
