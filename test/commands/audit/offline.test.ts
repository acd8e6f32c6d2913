import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditFinding, AuditReport } from '../../../src/lib/audit/types.js';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { requireNginx } from '../../fixtures/ratelimit/require.js';
import {
  rawResponse,
  startBare,
  startCookies,
  startHelmet,
  startLifecycle,
  startMalformed,
  startNginxAudit,
  type AuditServer,
  type NginxAudit,
} from '../../fixtures/audit/servers.js';

/**
 * `apikit audit --headers`: a response saved from each fixture (raw HTTP as `curl -si` writes it, a HAR file, a
 * JSON object of headers) gives the same header findings as the live run of that fixture, with nothing sent; a
 * malformed file is exit 2 with one line.
 */
const tmp = tempDir('apikit-audit-offline-');
afterAll(() => tmp.cleanup());

/** What a saved response can show: everything but the CORS preflight's answer (never saved) and the transport. */
const headerFindings = (r: AuditReport): Pick<AuditFinding, 'id' | 'severity' | 'points'>[] =>
  r.findings
    .filter((f) => f.category !== 'cors' && f.category !== 'transport')
    .map((f) => ({ id: f.id, severity: f.severity, points: f.points }));

async function audit(argv: string[], stdin?: string): Promise<AuditReport> {
  const r = await runCli(['audit', ...argv, '--json'], stdin === undefined ? {} : { stdin });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as AuditReport;
}

let servers: AuditServer[] = [];
let nginx: NginxAudit | undefined;
const nginxGate = requireNginx();

beforeAll(async () => {
  servers = await Promise.all([
    startHelmet(),
    startBare(),
    startMalformed(),
    startCookies(),
    startLifecycle(),
  ]);
  if (!nginxGate.skip) {
    nginx = await startNginxAudit();
    servers.push(nginx.tokens, nginx.owasp);
  }
});
afterAll(async () => {
  await Promise.all(servers.filter((s) => !s.name.startsWith('nginx')).map((s) => s.close()));
  await nginx?.close();
});

const FIXTURES = ['helmet', 'bare', 'malformed', 'cookies', 'lifecycle', 'nginx-tokens', 'nginx-owasp'];

describe('audit --headers: the same header findings as the live run', () => {
  it.each(FIXTURES)('%s (raw HTTP response)', async (name) => {
    if (name.startsWith('nginx') && nginxGate.skip) return;
    const s = servers.find((x) => x.name === name)!;
    const file = join(tmp.dir, `${name}.http`);
    writeFileSync(file, await rawResponse(s.url));
    const before = (await s.seen()).length;
    const offline = await audit(['--headers', file, s.url, '--assume-https']);
    expect((await s.seen()).length, 'nothing sent').toBe(before);
    const live = await audit([s.url, '--assume-https']);
    expect(offline).toMatchObject({ source: 'offline', requests: 0, url: s.url, kind: live.kind });
    expect(headerFindings(offline)).toEqual(headerFindings(live));
    // Observatory's CORS test needs the preflight: left out offline.
    expect(offline.observatory.leftOut.map((t) => t.name)).toContain('cross-origin-resource-sharing');
  });

  it('from stdin (--headers -), the URL taken from the argument', async () => {
    const s = servers.find((x) => x.name === 'bare')!;
    const offline = await audit(['--headers', '-', s.url, '--assume-https'], await rawResponse(s.url));
    const live = await audit([s.url, '--assume-https']);
    expect(headerFindings(offline)).toEqual(headerFindings(live));
  });

  it('a HAR file and a JSON object of headers of the same response agree with the raw one', async () => {
    const s = servers.find((x) => x.name === 'malformed')!;
    const raw = await rawResponse(s.url);
    const [head] = raw.split('\r\n\r\n');
    const lines = head!.split('\r\n').slice(1);
    const pairs = lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const);
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'test', version: '1' },
        entries: [
          {
            startedDateTime: '2026-01-01T00:00:00.000Z',
            time: 1,
            request: {
              method: 'GET',
              url: s.url,
              httpVersion: 'HTTP/1.1',
              headers: [],
              queryString: [],
              cookies: [],
            },
            response: {
              status: 200,
              statusText: 'OK',
              httpVersion: 'HTTP/1.1',
              headers: pairs.map(([name, value]) => ({ name, value })),
              cookies: [],
              content: { size: 8, mimeType: 'application/json', text: '{"id":1}' },
              redirectURL: '',
            },
          },
        ],
      },
    };
    const json: Record<string, string | string[]> = {};
    for (const [name, value] of pairs) {
      const key = name.toLowerCase();
      const had = json[key];
      json[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
    }
    writeFileSync(join(tmp.dir, 'm.har'), JSON.stringify(har));
    writeFileSync(join(tmp.dir, 'm.json'), JSON.stringify(json));
    writeFileSync(join(tmp.dir, 'm.http'), raw);
    const fromRaw = await audit(['--headers', join(tmp.dir, 'm.http'), s.url, '--assume-https']);
    const fromHar = await audit(['--headers', join(tmp.dir, 'm.har'), '--assume-https']);
    const fromJson = await audit(['--headers', join(tmp.dir, 'm.json'), s.url, '--assume-https']);
    expect(fromHar.url).toBe(s.url);
    expect(headerFindings(fromHar)).toEqual(headerFindings(fromRaw));
    expect(headerFindings(fromJson)).toEqual(headerFindings(fromRaw));
  });

  it('without a URL: judged as https (file: URL), so HSTS counts', async () => {
    const file = join(tmp.dir, 'nourl.http');
    writeFileSync(file, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}');
    const report = await audit(['--headers', file]);
    expect(report.url).toBe(`file:${file}`);
    expect(report.findings.map((f) => f.id)).toContain('audit.hsts.missing');
    expect(report.findings.map((f) => f.id)).not.toContain('audit.transport.plain-http');
  });
});

describe('audit --headers: bad input is exit 2, one line', () => {
  it.each([
    { name: 'not a response', text: 'hello world\n' },
    { name: 'a broken header line', text: 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n' },
    { name: 'JSON that is not an object of headers', text: '[1, 2, 3]' },
    { name: 'a HAR without entries', text: '{"log": {"version": "1.2", "entries": []}}' },
    { name: 'truncated JSON', text: '{"content-type": "applica' },
  ])('$name', async ({ text }) => {
    const file = join(tmp.dir, 'bad.txt');
    writeFileSync(file, text);
    const r = await runCli(['audit', '--headers', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(hasStackTrace(r.stderr)).toBe(false);
    const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errorLines, r.stderr).toHaveLength(1);
    expect(errorLines[0]).toContain('bad.txt');
  });

  it('a missing file: exit 2 naming it', async () => {
    const r = await runCli(['audit', '--headers', join(tmp.dir, 'nope.http')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.http.*no such file/);
  });
});
