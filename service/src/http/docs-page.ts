import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { SIGNING_CONTEXTS } from '@yishi/schema';

/**
 * The reference at /docs: its title, logo and favicon, the guide at the top of the document
 * (`info.description`, CommonMark) and the "Try it out" policy (docs/decisions/0021): on for GET
 * routes, which the public ones answer; signed reads answer 401 without a signature and commands
 * have no "Try it out" at all — both point to the SDK and the CLI.
 */

/** The page's title. */
export const DOCS_TITLE = 'yishi API reference · 议事';

// A red seal (印章) with 议, the project's mark; SVG, so no binary asset is committed.
const SEAL = (size: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 64 64">` +
  '<rect x="2" y="2" width="60" height="60" rx="8" fill="#b3261e"/>' +
  '<rect x="7" y="7" width="50" height="50" rx="5" fill="none" stroke="#fff" stroke-width="2.5"/>' +
  '<text x="32" y="45" font-size="34" text-anchor="middle" fill="#fff" ' +
  'font-family="serif">议</text></svg>';

const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40">' +
  '<rect x="1" y="1" width="38" height="38" rx="5" fill="#b3261e"/>' +
  '<text x="20" y="29" font-size="24" text-anchor="middle" fill="#fff" font-family="serif">议</text>' +
  '<text x="50" y="28" font-size="22" fill="#fff" font-family="sans-serif">yishi API</text></svg>';

/** The Authorization header of a signed read, as the security scheme documents it. */
export const AUTH_SCHEME_TEXT =
  'A signed read carries `Authorization: Yishi-Ed25519 key=<base64 public key>, ts=<ms>, ' +
  'sig=<base64 signature>`: `sig` is the Ed25519 signature, by the principal’s key, of ' +
  `\`${SIGNING_CONTEXTS.read}\` + a newline + the RFC 8785 canonical JSON of ` +
  '`{ ledger, method, path, query, bodyDigest, ts }`. The SDK and `yishi get` make it for you.';

/** The guide at the top of the reference. */
export const DOCS_GUIDE = `Tamper-evident record of a leadership team’s major decisions (三重一大): every state change \
is a **command** signed by the acting principal, decided by the rules of procedure P1–P16 and \
appended to a hash-chained ledger whose checkpoints the log signs.

## How signing works

**A command** is a JSON \`payload\` — its \`type\` (e.g. \`meeting.schedule\`), its own fields, and \
three the signer adds:

- \`ts\`: the client's clock in ms since the epoch (the service refuses one more than 5 minutes \
from its clock: \`CLOCK_SKEW\`);
- \`nonce\`: 32 lowercase hex characters, fresh for every command (a repeat with another payload is \
\`NONCE_REPLAYED\`);
- \`ledger\`: the id of the ledger the service keeps (\`GET /ledger/info\`), so a command signed \
for one ledger is refused by any other (\`WRONG_LEDGER\`).

The signature is Ed25519 over the **signing context** \`${SIGNING_CONTEXTS.command}\`, a newline, and \
the payload's **canonical JSON** (RFC 8785 / JCS: keys sorted, no spaces, numbers in their shortest \
form). The request body is \`{ "payload": …, "publicKey": "<base64>", "signature": "<base64>" }\`, \
POSTed to the command's route; the answer (201) is the ledger entry's \`seq\`, \`leafHash\`, \`time\` \
and what the rules \`derived\`. Repeats with the same \`Idempotency-Key\` get the first answer.

**A signed read** (every GET but \`/health\`, \`/ready\`, \`/ledger/info\` and \`/log/*\`) carries \
\`Authorization: Yishi-Ed25519 key=<base64 public key>, ts=<ms>, sig=<base64 signature>\`, where \
\`sig\` signs \`${SIGNING_CONTEXTS.read}\`, a newline, and the canonical JSON of \
\`{ ledger, method, path, query, bodyDigest, ts }\` (\`path\` and \`query\` exactly as sent, \
\`bodyDigest\` the SHA-256 hex of the body, of no bytes for a GET).

## With the SDK (\`@yishi/sdk\`)

\`\`\`ts
import { createYishiClient, Signer } from '@yishi/sdk';
const client = createYishiClient({
  baseUrl: 'https://yishi.example.org',
  signer: new Signer(secretKeyText), // the principal's key, e.g. the text of admin.key
});
// ts, nonce and ledger are filled in; the answer is { data, error, response }, never a throw.
const r = await client.submit({ type: 'body.create', name: '星河能源集团党委' });
if (r.error) console.error(r.error.code, r.error.rule, r.error.message);
const me = await client.api.GET('/principals/me'); // a signed read
\`\`\`

## With curl and the \`yishi\` command line

\`\`\`sh
# Sign, fill in ts/nonce/ledger, POST and print the answer:
yishi submit --key admin.key --url https://yishi.example.org '{"type":"body.create","name":"星河能源集团党委"}'
# A signed read:
yishi get --key admin.key --url https://yishi.example.org /principals/me
# The public routes need no signature:
curl https://yishi.example.org/ledger/info
curl https://yishi.example.org/log/checkpoint
\`\`\`

## Errors

Every error is \`{ statusCode, code, error, message, rule?, details? }\`: \`code\` is stable (each \
route lists the codes it can answer, by status), \`rule\` names the rule of procedure that refused \
(P1–P16), \`message\` is English or Simplified Chinese by \`Accept-Language\`. A request that does \
not match its schema is \`VALIDATION_FAILED\` with \`details\` naming the property (\`path\`), the \
\`problem\` (missing, unexpected, type, bound, pattern, value) and what was \`expected\`.

## Trying it out

**Try it out** is on for GET routes: the public ones (\`/health\`, \`/ready\`, \`/ledger/info\`, \
\`/log/*\`) answer from this page. A signed read answers \`401 AUTH_REQUIRED\` here, and commands \
have no Try it out: a signature needs the principal's secret key, which never belongs in a web \
page. Use the SDK or \`yishi submit\` / \`yishi get\` above; each command below shows a signed \
request and its answer.`;

/** Options of @fastify/swagger-ui for the reference. */
export function docsUiOptions(): FastifySwaggerUiOptions {
  return {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO_SVG), href: '/docs' },
    theme: {
      title: DOCS_TITLE,
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          sizes: 'any',
          type: 'image/svg+xml',
          content: Buffer.from(SEAL(64)),
        },
      ],
    },
    uiConfig: {
      // Only GET routes can be tried here (see the guide); commands need a signature.
      supportedSubmitMethods: ['get'],
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      displayRequestDuration: true,
    },
  };
}
