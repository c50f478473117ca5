import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  base64Encode,
  formatPublicKey,
  formatSecretKey,
  generateSecretKey,
  getPublicKey,
  isValidKeyName,
} from '@yishi/crypto';
import { writeSecret } from '../storage/data-dir.js';
import { err, out, parseCommandLine, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi keygen NAME [--dir DIR] [--base64]

Makes a principal's Ed25519 key pair: DIR/NAME.key, the secret key (mode 0600: it signs for the
principal; keep it on the principal's device), and DIR/NAME.pub, the public key. Refuses to
overwrite either file. Prints the public key; register it with
  yishi submit --key admin.key '{"type":"principal.register",…,"publicKey":"<base64>"}'.

Options:
  --dir DIR     where to write the two files (default: the current folder)
  --base64      print only the 32-byte public key in standard base64, as principal.register
                takes it (default: the key text NAME+<key id>+<base64>, as NAME.pub holds it)
  -h, --help    show this help
`;

export const keygenCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        base64: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one key name');
  const name = positionals[0] as string;
  if (!isValidKeyName(name) || name.includes('/')) {
    throw new UsageError(`${JSON.stringify(name)}: a key name has no spaces, '+' or '/'`);
  }
  const dir = values.dir ?? '.';
  const keyFile = join(dir, `${name}.key`);
  const pubFile = join(dir, `${name}.pub`);
  for (const f of [keyFile, pubFile]) {
    if (existsSync(f)) throw new Error(`${f} exists: refusing to overwrite a key`);
  }
  const secret = generateSecretKey();
  const pub = getPublicKey(secret);
  const pubText = formatPublicKey(name, pub);
  writeSecret(keyFile, `${formatSecretKey(name, secret)}\n`);
  writeFileSync(pubFile, `${pubText}\n`, { mode: 0o644, flag: 'wx' });
  err(`wrote ${keyFile} (secret, 0600) and ${pubFile}\n`);
  out(`${values.base64 ? base64Encode(pub) : pubText}\n`);
  return 0;
};
