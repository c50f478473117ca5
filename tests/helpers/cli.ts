import { Writable } from 'node:stream';
import { join } from 'node:path';
import { main } from '@yishi/service';
import { repoRoot } from './paths.js';

/** The `yishi` binary, for the tests that need a real child process (signals, exit, stdio). */
export const YISHI_BIN = join(repoRoot, 'service/bin/yishi.js');

/** What a run of the CLI gave: its exit code and everything it wrote. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it as text. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Runs `yishi ...args` in this process: the CLI's `main` with its output captured, where a child
 * process would add only its start-up time. One run at a time (the CLI's streams are global).
 */
export async function yishi(...args: string[]): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const status = await main(args, { stdout, stderr });
  return { status, stdout: stdout.text, stderr: stderr.text };
}
