import { describe, expect, it } from 'vitest';
import { renderProbeVersions, type ProbeVersionsResult } from '../../../src/commands/probe/versions.js';
import { hasAnsi, inEveryMode, stderrOf, stdoutOf, viewFor } from '../../helpers/view.js';
import { version, versionsReport } from './versions-report-fixtures.js';

/**
 * renderProbeVersions with the TTY as a column: the timeline is a picture only on a terminal and plain rows when
 * piped; --json is the report exactly; markdown escapes what the server chose; colour only on a terminal.
 */
const result = (
  report = versionsReport(),
  format: ProbeVersionsResult['format'] = 'table',
): ProbeVersionsResult => ({
  report,
  format,
  outcome: 'ok',
});

describe('renderProbeVersions', () => {
  it.each(inEveryMode([{}]))('tty $tty json $json', ({ tty, json }) => {
    const out = renderProbeVersions(result(), viewFor({ tty, json }));
    const text = stdoutOf(out);
    expect(stderrOf(out)).toBe('');
    if (json) {
      expect(JSON.parse(text)).toEqual(versionsReport());
      return;
    }
    expect(hasAnsi(text)).toBe(tty);
    expect(text).toContain('versions.sunset-past-still-serving');
    if (tty) {
      expect(text).toContain('Timeline');
      expect(text).toMatch(/▲ today|today ▲/);
      expect(text).toMatch(/v0 +│/);
      expect(text).not.toContain('timeline:');
    } else {
      expect(text).toContain(
        'timeline:\n  v0: deprecated 2025-06-15 (200 days ago); sunset 2025-12-22 (10 days ago)\n',
      );
      expect(text).not.toContain('▲');
      // Tab-separated, the paths on the probed origin shortened.
      expect(text).toContain(
        'v0\tlive (200)\t2025-06-15\t2025-12-22\t10 days ago (passed)\t/v1/items\t/v0/items\n',
      );
      expect(text).toContain('unversioned\tv2 (latest), stated: redirects to https://api.example/v2/items\n');
    }
  });

  it('no dates announced: no timeline either way', () => {
    const report = versionsReport({ versions: [version('v1'), version('v2')], findings: [] });
    for (const tty of [true, false]) {
      const text = stdoutOf(renderProbeVersions(result(report), viewFor({ tty })));
      expect(text).not.toMatch(/timeline/i);
      expect(text).toContain('no findings');
    }
  });

  it('server text is sanitised in every format; markdown cannot be broken out of', () => {
    const report = versionsReport({
      versions: [
        version('v1', { successor: 'https://evil.example/\u001b[2J|x', url_or_header: 'API-Version: 1' }),
      ],
    });
    const table = stdoutOf(renderProbeVersions(result(report), viewFor({ tty: false })));
    expect(table).not.toContain('\u001b');
    const md = stdoutOf(renderProbeVersions(result(report, 'markdown'), viewFor({ tty: false })));
    expect(md).toContain('## API versions: GET https://api.example/v1/items');
    expect(md).not.toContain('\u001b');
    expect(md).toContain('\\|x');
    expect(md).toContain('### Findings');
  });

  it('markdown: the summary, the versions, the timeline rows and the findings', () => {
    const md = stdoutOf(renderProbeVersions(result(versionsReport(), 'markdown'), viewFor({ tty: true })));
    expect(hasAnsi(md)).toBe(false);
    expect(md).toContain('### Versions');
    expect(md).toContain('### Timeline');
    expect(md).toContain('- v0: deprecated 2025-06-15 (200 days ago); sunset 2025-12-22 (10 days ago)');
    expect(md).toContain('`versions.sunset-past-still-serving`');
  });

  it('an interrupted run says the result is partial', () => {
    const out = renderProbeVersions(
      result(versionsReport({ stopped: 'interrupted' })),
      viewFor({ tty: false }),
    );
    expect(stderrOf(out)).toContain('interrupted: the result above is partial');
  });
});
