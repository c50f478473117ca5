/** Why the demo stopped: a closed list of codes, so tests assert codes, not messages. */
export const DEMO_ERRORS = [
  /** A step the story expects to be accepted was refused by the service. */
  'STEP_REFUSED',
  /** A step the story expects to be refused was accepted. */
  'STEP_ACCEPTED',
  /** A read the story needs failed. */
  'READ_FAILED',
  /** The log did not sign a checkpoint covering every entry in time. */
  'CHECKPOINT_TIMEOUT',
  /** `--out DIR` already holds a demo (or anything in the places the demo writes). */
  'OUT_NOT_EMPTY',
  /** The command line could not be understood. */
  'USAGE',
] as const;

export type DemoErrorCode = (typeof DEMO_ERRORS)[number];

export class DemoError extends Error {
  constructor(
    readonly code: DemoErrorCode,
    message: string,
    readonly detail?: unknown
  ) {
    super(message);
    this.name = 'DemoError';
  }
}
