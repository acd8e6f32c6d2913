/**
 * One table of exit codes and one error type. Every failure that reaches the user is an ApikitError
 * with a stable `code` (ERR_<AREA>_<CONDITION>); `exitCodeFor` in cli.ts maps anything else.
 */
export const ExitCode = {
  OK: 0,
  /** Negative verdict: invalid token, findings at/above the threshold. */
  VERDICT: 1,
  /** Usage error or bad input. */
  USAGE: 2,
  /** Network or remote-server error. */
  NETWORK: 3,
  /** Authentication needed or rejected. */
  AUTH: 4,
  /** A bug in apikit. */
  INTERNAL: 70,
  /** Interrupted (SIGINT). */
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ApikitErrorOptions {
  hint?: string;
  cause?: unknown;
  /**
   * The exit code is the whole answer (`apikit token --check`): no message unless --verbose asks why. Keeps the
   * code in one table (this one) instead of a verdict type of its own for each verb that answers with an exit code.
   */
  quiet?: boolean;
}

export class ApikitError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly quiet: boolean;

  constructor(message: string, code: string, exitCode: ExitCodeValue, options: ApikitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApikitError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.quiet = options.quiet === true;
  }
}

/** Bad flags, arguments or input files: exit 2. */
export class UsageError extends ApikitError {
  constructor(message: string, code = 'ERR_USAGE', options: ApikitErrorOptions = {}) {
    super(message, code, ExitCode.USAGE, options);
    this.name = 'UsageError';
  }
}

/** Bad input data (a key file, a token, a config value): exit 2. */
export class InputError extends ApikitError {
  constructor(message: string, code = 'ERR_INPUT', options: ApikitErrorOptions = {}) {
    super(message, code, ExitCode.USAGE, options);
    this.name = 'InputError';
  }
}

/** Connection failures, timeouts, 5xx, unusable remote answers: exit 3. */
export class NetworkError extends ApikitError {
  constructor(message: string, code = 'ERR_NETWORK', options: ApikitErrorOptions = {}) {
    super(message, code, ExitCode.NETWORK, options);
    this.name = 'NetworkError';
  }
}

/** Authentication needed or rejected: exit 4. */
export class AuthError extends ApikitError {
  constructor(message: string, code = 'ERR_AUTH', options: ApikitErrorOptions = {}) {
    super(message, code, ExitCode.AUTH, options);
    this.name = 'AuthError';
  }
}

export class InterruptedError extends ApikitError {
  constructor(message = 'interrupted') {
    super(message, 'ERR_INTERRUPTED', ExitCode.INTERRUPTED);
    this.name = 'InterruptedError';
  }
}

export function isApikitError(err: unknown): err is ApikitError {
  return err instanceof ApikitError;
}

/**
 * Whether `err` carries one of these stable codes. Code switches on this (or on `err.code`), never on
 * `instanceof` of a particular class (STYLE.md habit 5): the code is the contract, the class an implementation.
 */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/** A short description of any thrown value, for "cause" clauses. */
export function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const inner = (err as { cause?: unknown }).cause;
    let text = err.message || err.name;
    if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
    if (inner instanceof Error && inner.message && !text.includes(inner.message))
      text += ` (${describeCause(inner)})`;
    return text;
  }
  return String(err);
}
