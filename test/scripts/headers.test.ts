// scripts/headers.mjs: the headers the site is served with. The e2e tests run every page under
// them (bench/harness.ts); these check the policy's parts and the inline-script hashes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentSecurityPolicy, EXTRA_TYPES, inlineScriptHashes, siteHeaders } from '../../scripts/headers.mjs';

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

describe('site headers', () => {
  it('hash every inline script of every built page, once, and no script with a src', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenclock-csp-'));
    try {
      await mkdir(join(dir, 'a'));
      await writeFile(join(dir, 'index.html'), '<script>one()</script><script type="module" src="/x.js"></script><script type="module">two()</script>');
      await writeFile(join(dir, 'a', 'index.html'), '<script>one()</script><script is:inline>\nthree()\n</script>');
      assert.deepEqual(inlineScriptHashes(dir), [sha('one()'), sha('two()'), sha('\nthree()\n')].sort());
      assert.deepEqual(inlineScriptHashes(join(dir, 'missing')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the CSP allows no inline script but the hashed ones, wasm, the Hub and its download hosts', () => {
    const csp = contentSecurityPolicy(["'sha256-abc'"], ['https://mirror.example']);
    const part = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `)) ?? '';
    assert.equal(part('script-src'), "script-src 'self' 'wasm-unsafe-eval' blob: 'sha256-abc'");
    assert.ok(!csp.includes("'unsafe-eval'") && !/script-src[^;]*'unsafe-inline'/.test(csp));
    assert.equal(part('connect-src'), "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co https://mirror.example");
    assert.equal(part('object-src'), "object-src 'none'");
    assert.equal(part('frame-ancestors'), "frame-ancestors 'none'");
  });

  it('every response gets isolation, nosniff and a Referrer-Policy; dev gets no CSP', () => {
    const h = siteHeaders({ dist: '/nonexistent', csp: true });
    assert.equal(h['X-Content-Type-Options'], 'nosniff');
    assert.equal(h['Referrer-Policy'], 'strict-origin-when-cross-origin');
    assert.equal(h['Cross-Origin-Embedder-Policy'], 'require-corp');
    assert.ok(h['Content-Security-Policy']);
    assert.equal(siteHeaders({ csp: false })['Content-Security-Policy'], undefined);
    assert.equal(EXTRA_TYPES['.safetensors'], 'application/octet-stream');
  });
});
