/**
 * Runs many `yishi` commands in ONE child process: the CLI's own `main(argv)` (what
 * `service/bin/yishi.js` calls) once per command, its standard output and error captured per
 * command. The same code and arguments as the binary, without a process start per command.
 */
import { spawn } from 'node:child_process';
import { repoRoot } from '../../helpers/paths.js';

/** What one command printed and returned. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const RUNNER = `
import { main } from '@yishi/service';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const jobs = JSON.parse(input);
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const results = [];
for (const argv of jobs) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = (c) => ((stdout += String(c)), true);
  process.stderr.write = (c) => ((stderr += String(c)), true);
  let code = null;
  try {
    code = await main(argv);
  } catch (e) {
    stderr += String(e && e.stack);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  results.push({ code, stdout, stderr });
}
realOut(JSON.stringify(results));
`;

/** Runs each argv (e.g. `['verify', file, '--json']`) through the CLI, in order. */
export function runCliBatch(jobs: string[][]): Promise<CliRun[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as CliRun[]);
      } catch {
        reject(new Error(`the CLI batch exited ${code}: ${err}`));
      }
    });
    child.stdin.end(JSON.stringify(jobs));
  });
}
