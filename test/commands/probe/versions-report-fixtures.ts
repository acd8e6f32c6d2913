import type { VersionEntry, VersionsReport } from '../../../src/lib/versions/types.js';

/** Reports for the render tests of `apikit probe versions`, at the views' fixed time (2026-01-01). */
export const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const iso = (days: number) => new Date(NOW + days * DAY).toISOString();

export function version(id: string, over: Partial<VersionEntry> = {}): VersionEntry {
  return {
    id,
    url_or_header: `https://api.example/${id}/items`,
    status: 'live',
    http_status: 200,
    location: null,
    served_as: null,
    named_by: ['neighbour'],
    deprecation: null,
    sunset: null,
    days_left: null,
    successor: null,
    links: [],
    ...over,
  };
}

export function versionsReport(over: Partial<VersionsReport> = {}): VersionsReport {
  return {
    url: 'https://api.example/v1/items',
    method: 'GET',
    now: new Date(NOW).toISOString(),
    schemes: [
      {
        scheme: 'path',
        name: null,
        current: 'v1',
        format: 'major',
        evidence: ['path segment 1 is "v1"'],
        primary: true,
      },
    ],
    versions: [
      version('v0', {
        deprecation: { date: iso(-200), raw: '@1', legacy: null },
        sunset: { date: iso(-10), raw: 'Mon, 22 Dec 2025 00:00:00 GMT' },
        days_left: -10,
        successor: 'https://api.example/v1/items',
      }),
      version('v1', { named_by: ['request'] }),
      version('v2'),
      version('v3', { status: 'gone', http_status: 404 }),
    ],
    default_version: {
      request: 'GET https://api.example/items',
      http_status: 308,
      answer: 'latest',
      version: 'v2',
      stated: true,
      how: 'redirects to https://api.example/v2/items',
    },
    findings: [
      {
        id: 'versions.sunset-past-still-serving',
        severity: 'high',
        message: 'v0: Sunset 2025-12-22 passed 10 days ago, and it still answers 200',
        evidence: [{ request: 'GET https://api.example/v0/items', status: 200 }],
        advice: 'switch it off with 410 Gone',
        version: 'v0',
      },
    ],
    requests_sent: 5,
    duration_ms: 120,
    budget: { max_requests: 30, max_versions: 12, duration_ms: 60_000 },
    stopped: 'done',
    error: null,
    ...over,
  };
}
