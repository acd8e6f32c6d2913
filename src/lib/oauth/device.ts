/**
 * The device authorization response (RFC 8628 §3.2) and the polling schedule (§3.5). Pure.
 */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Seconds. */
  expiresIn: number;
  /** Seconds between polls; 5 when the server says nothing (§3.2). */
  interval: number;
}

export function readDeviceAuthorization(doc: unknown): DeviceAuthorization | string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'the answer is not a JSON object';
  const o = doc as Record<string, unknown>;
  for (const field of ['device_code', 'user_code', 'verification_uri']) {
    if (typeof o[field] !== 'string' || o[field] === '') return `the answer has no "${field}"`;
  }
  if (typeof o.expires_in !== 'number' || !(o.expires_in > 0)) return 'the answer has no valid "expires_in"';
  if (o.interval !== undefined && (typeof o.interval !== 'number' || !(o.interval >= 0))) {
    return 'the answer has an invalid "interval"';
  }
  return {
    deviceCode: o.device_code as string,
    userCode: o.user_code as string,
    verificationUri: o.verification_uri as string,
    verificationUriComplete:
      typeof o.verification_uri_complete === 'string' ? o.verification_uri_complete : undefined,
    expiresIn: o.expires_in,
    // Never poll faster than once a second, whatever the server says.
    interval: Math.max(1, (o.interval as number | undefined) ?? 5),
  };
}

/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds for this and all later polls. */
export const SLOW_DOWN_STEP_SECONDS = 5;
