#!/usr/bin/env node
// The SDK as an integrator gets it: packs @yishi/sdk and the four workspaces it depends on,
// installs the tarballs into a fresh temporary project ("type": "module", strict TypeScript),
// compiles a small client there with the repository's TypeScript and runs it against a service.
//
// Usage: node scripts/pack-sdk-check.mjs --url URL --admin-key FILE [--keep]
//   --url URL         a running service (e.g. http://127.0.0.1:8080)
//   --admin-key FILE  an admin's secret key for that service (DATA/admin.key)
//   --keep            keep the temporary project and print where it is
//
// Offline: the third-party packages the SDK needs are packed from this repository's
// node_modules (the lockfile's versions) and installed with `npm install --offline`, so the check
// needs no network. Run `npm run build` first (the tarballs hold the compiled dist/).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACES = ['schema', 'crypto', 'procedure', 'verify', 'sdk'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'admin-key': { type: 'string' },
    keep: { type: 'boolean' },
  },
});
if (!values.url || !values['admin-key']) {
  console.error('usage: node scripts/pack-sdk-check.mjs --url URL --admin-key FILE [--keep]');
  process.exit(2);
}
for (const ws of WORKSPACES) {
  if (!existsSync(join(root, ws, 'dist/index.js'))) {
    console.error(`${ws}/dist is missing: run npm run build first`);
    process.exit(2);
  }
}

/** Third-party packages the workspaces need, transitively, as installed in node_modules. */
function thirdPartyDeps() {
  const found = new Map();
  const visit = (name) => {
    if (found.has(name) || name.startsWith('@yishi/')) return;
    const dir = join(root, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    found.set(name, dir);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const ws of WORKSPACES) {
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  }
  return [...found.values()];
}

const CLIENT = `// A client app of the packed SDK: keys, signed commands, a signed read, a refusal.
import { createYishiClient, generateKeyPair, Signer } from '@yishi/sdk';

declare const process: { env: Record<string, string | undefined> };

const baseUrl = process.env['YISHI_URL'] ?? 'http://127.0.0.1:8080';
const adminKey = process.env['YISHI_ADMIN_KEY'];
if (adminKey === undefined) throw new Error('YISHI_ADMIN_KEY is not set');

const admin = createYishiClient({ baseUrl, signer: new Signer(adminKey) });
const body = await admin.submit({ type: 'body.create', name: '星河能源集团党委' });
if (body.error) throw new Error(\`body.create: \${body.error.code}\`);
const created: unknown = body.data.derived;
const bodyId = (created as { bodyId?: unknown }).bodyId;
if (typeof bodyId !== 'string') throw new Error('body.create answered no bodyId');

const principalId = \`member-\${Date.now().toString(36)}\`;
const keys = generateKeyPair(principalId);
const registered = await admin.submit({
  type: 'principal.register',
  principalId,
  name: '孙丽华',
  publicKey: keys.publicKeyBase64,
  role: 'member',
  bodyId,
});
if (registered.error) throw new Error(\`principal.register: \${registered.error.code}\`);

const member = createYishiClient({
  baseUrl,
  signer: new Signer(keys.secretKey),
  ledger: await admin.ledger(),
});
const me = await member.api.GET('/principals/me');
if (me.data === undefined) throw new Error('GET /principals/me failed');
const refused = await member.submit({ type: 'body.create', name: '另一个班子' });

console.log(
  JSON.stringify({
    bodyId,
    registeredSeq: registered.data.seq,
    me: me.data.principalId,
    role: me.data.role,
    refused: refused.error?.code ?? null,
  })
);
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
    types: [],
    outDir: 'dist',
  },
  include: ['src'],
};

const dir = mkdtempSync(join(tmpdir(), 'yishi-packed-sdk-'));
const tarballs = join(dir, 'tarballs');
const app = join(dir, 'app');
const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
try {
  mkdirSync(tarballs);
  mkdirSync(join(app, 'src'), { recursive: true });
  run(
    npm,
    ['pack', ...WORKSPACES.flatMap((w) => ['-w', w]), '--pack-destination', tarballs, '--silent'],
    root
  );
  run(
    npm,
    ['pack', ...thirdPartyDeps(), '--pack-destination', tarballs, '--ignore-scripts', '--silent'],
    root
  );
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  const ours = files.filter((f) => f.startsWith('yishi-'));
  if (ours.length !== WORKSPACES.length) throw new Error(`packed ${ours.join(', ')}`);

  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'packed-sdk-client', private: true, type: 'module' }, null, 2)}\n`
  );
  writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(app, 'src/client.ts'), CLIENT);
  run(
    npm,
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      ...files.map((f) => join(tarballs, f)),
    ],
    app
  );
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  const output = run(process.execPath, [join(app, 'dist/client.js')], app, {
    YISHI_URL: values.url,
    YISHI_ADMIN_KEY: readFileSync(values['admin-key'], 'utf8'),
  });
  const result = JSON.parse(output.trim().split('\n').at(-1));
  if (result.role !== 'member' || result.refused !== 'ROLE_NOT_ALLOWED') {
    throw new Error(`unexpected client output: ${output}`);
  }
  console.log(
    `packed SDK OK: ${ours.length} tarballs (${ours.join(', ')}) + ${files.length - ours.length} ` +
      `third-party, strict tsc, client ran: ${JSON.stringify(result)}`
  );
  if (values.keep) console.log(`kept ${dir}`);
} catch (e) {
  const out = [e.stdout, e.stderr].filter(Boolean).join('\n');
  console.error(`packed SDK check failed: ${e.message} (status ${e.status})\n${out}`);
  process.exitCode = 1;
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
