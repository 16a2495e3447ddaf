/**
 * The one error catalog. Every expected failure carries a stable `code`;
 * tests assert the code, the CLI maps it to an exit status and prints one line.
 */

export const ErrorCode = {
  /** Bad command-line usage (unknown option, bad value). */
  USAGE: 'DNSHUNT_E_USAGE',
  /** A path given on the command line does not exist. */
  NO_SUCH_PATH: 'DNSHUNT_E_NO_SUCH_PATH',
  /** A path exists but cannot be read (permissions, is a device, …). */
  UNREADABLE: 'DNSHUNT_E_UNREADABLE',
  /** A directory was given but holds no log files. */
  NO_LOGS: 'DNSHUNT_E_NO_LOGS',
  /** An indicator feed is unusable as a whole (not its single lines: those are reported and skipped). */
  BAD_FEED: 'DNSHUNT_E_BAD_FEED',
  /** A DGA specification (`--dga`) is not understood. */
  BAD_DGA_SPEC: 'DNSHUNT_E_BAD_DGA_SPEC',
  /** A configuration file or value is invalid. */
  BAD_CONFIG: 'DNSHUNT_E_BAD_CONFIG',
  /** A compressed input is corrupt. */
  BAD_GZIP: 'DNSHUNT_E_BAD_GZIP',
  /** Nothing to match: every indicator source is empty or switched off. */
  NO_INDICATORS: 'DNSHUNT_E_NO_INDICATORS',
  /** A worker failed unexpectedly (a bug, reported as such). */
  WORKER: 'DNSHUNT_E_WORKER',
  /** Sending mail failed. */
  SMTP: 'DNSHUNT_E_SMTP',
  /** The state directory cannot be used. */
  STATE: 'DNSHUNT_E_STATE',
  /** An internal invariant was broken: a bug. */
  INTERNAL: 'DNSHUNT_E_INTERNAL',
} as const;

export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Exit status of the CLI: 0 nothing found, 1 infected clients found, 2 usage or input error, 3 internal or runtime failure. */
export const ExitCode = {
  CLEAN: 0,
  FOUND: 1,
  INPUT: 2,
  FAILURE: 3,
} as const;

/** Base class of every error dnshunt throws on purpose. */
export class DnshuntError extends Error {
  readonly code: ErrorCodeName;
  override readonly cause?: unknown;
  constructor(code: ErrorCodeName, message: string, cause?: unknown) {
    super(message);
    this.name = 'DnshuntError';
    this.code = code;
    if (cause !== undefined) this.cause = cause;
  }
}

const INPUT_CODES: ReadonlySet<string> = new Set<string>([
  ErrorCode.USAGE,
  ErrorCode.NO_SUCH_PATH,
  ErrorCode.UNREADABLE,
  ErrorCode.NO_LOGS,
  ErrorCode.BAD_FEED,
  ErrorCode.BAD_DGA_SPEC,
  ErrorCode.BAD_CONFIG,
  ErrorCode.BAD_GZIP,
  ErrorCode.NO_INDICATORS,
]);

/** Map an error code to the CLI exit status: input and usage errors are 2, everything else 3. */
export function exitCodeFor(code: string): number {
  return INPUT_CODES.has(code) ? ExitCode.INPUT : ExitCode.FAILURE;
}

/** True when `e` is a DnshuntError (or crossed a worker boundary as a plain object with a DNSHUNT_E_ code). */
export function isDnshuntError(e: unknown): e is { code: ErrorCodeName; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as { code: string }).code.startsWith('DNSHUNT_E_')
  );
}
