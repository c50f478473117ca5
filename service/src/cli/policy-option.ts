import { readFileSync } from 'node:fs';
import { parsePolicy, PolicyError, type Policy } from '@yishi/verify';
import { UsageError } from './io.js';

/**
 * Reads the `--policy FILE` of `yishi verify|audit`: a C2SP tlog-policy naming the log and the
 * witnesses whose quorum every checkpoint must carry. A file that cannot be read, does not parse
 * or names no log is a usage error (exit 2), never a verdict on the ledger.
 */
export function readPolicyOption(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--policy ${path}: cannot read the file (${code ?? (e as Error).message})`
    );
  }
  let policy: Policy;
  try {
    policy = parsePolicy(text);
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new UsageError(`--policy ${path}: ${e.code}: ${e.message}`);
  }
  if (policy.logs.length === 0) throw new UsageError(`--policy ${path}: the policy names no log`);
  return policy;
}
