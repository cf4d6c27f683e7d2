import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestProject, tempDir } from '../helpers/project';
import { send } from '../helpers/http';
import { startBridge, type Bridge } from '../../main/bridge/server';


describe('the loopback bridge', () => {
  let t: Awaited<ReturnType<typeof openTestProject>>;
  let bridge: Bridge;
  let web: ReturnType<typeof tempDir>;
  const host = () => `127.0.0.1:${bridge.port}`;

  beforeAll(async () => {
    t = await openTestProject({ sample: true });
    web = tempDir();
    mkdirSync(join(web.dir, 'assets'));
    writeFileSync(join(web.dir, 'index.html'), '<!doctype html><title>Marginalia</title>');
    writeFileSync(join(web.dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(web.dir, '..', 'secret.txt'), 'secret');
    bridge = await startBridge({ ctx: { session: t.session }, rendererDir: web.dir });
  });
  afterAll(async () => {
    await bridge.close();
    await t.close();
    web.cleanup();
  });

  it('listens on 127.0.0.1 only and prints a URL with the token in the fragment', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{20,}$/);
  });

  it('answers an API call that carries the token', async () => {
    const r = await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: host(), Authorization: `Bearer ${bridge.token}` }, body: '{}' });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { ok: boolean; value: unknown[] };
    expect(body.ok).toBe(true);
    expect(body.value).toHaveLength(5);
  });

  it('refuses API calls without the token or with a wrong one', async () => {
    expect((await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: host() }, body: '{}' })).status).toBe(401);
    const wrong = await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: host(), Authorization: 'Bearer nope' }, body: '{}' });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Origin (another web page) and a foreign Host (DNS rebinding), even with the token', async () => {
    const auth = { Authorization: `Bearer ${bridge.token}` };
    const origin = await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: host(), Origin: 'http://evil.example', ...auth }, body: '{}' });
    expect(origin.status).toBe(403);
    const rebinding = await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: `evil.example:${bridge.port}`, ...auth }, body: '{}' });
    expect(rebinding.status).toBe(403);
    const page = await send(bridge.port, '/', { headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
  });

  it('serves the renderer with a strict CSP and never a file outside it', async () => {
    const index = await send(bridge.port, '/', { headers: { Host: host() } });
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Marginalia</title>');
    expect(String(index.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await send(bridge.port, '/assets/app.js', { headers: { Host: host() } })).body).toBe('console.log(1)');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await send(bridge.port, path, { headers: { Host: host() } });
      expect(r.body, path).not.toContain('secret');
    }
  });

  it('turns a bad request body into a clear error', async () => {
    const r = await send(bridge.port, '/api/documents.list', { method: 'POST', headers: { Host: host(), Authorization: `Bearer ${bridge.token}` }, body: '{nope' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('answers a malformed address with 400, not a server error', async () => {
    const r = await send(bridge.port, '/api/%E0%A4%A', { method: 'POST', headers: { Host: host(), Authorization: `Bearer ${bridge.token}` }, body: '{}' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
