import { writeFileSync } from 'node:fs';
import { generateNoteKey } from '@yishi/crypto';
import { buildApp } from '../app.js';
import { Checkpointer, LedgerStore } from '../ledger/index.js';
import { openApiDocument } from '../http/openapi.js';
import { out, parseCommandLine, type Command } from './io.js';

const HELP = `Usage: yishi openapi [--out FILE]

Prints the service's OpenAPI 3.1 document, generated from the route schemas (keys sorted, so the
output is stable). 'npm run openapi' writes it to schema/openapi.json.

Options:
  --out FILE    write to FILE instead of standard output
  -h, --help    show this help
`;

/** The OpenAPI document of the app, built over an empty in-memory ledger. */
export async function generateOpenApi(): Promise<string> {
  const store = LedgerStore.open(':memory:');
  const origin = 'yishi.local/openapi';
  const { skey, vkey } = generateNoteKey(origin);
  const app = await buildApp({
    store,
    checkpointer: new Checkpointer(store, { skey, origin }),
    logVkey: vkey,
  });
  try {
    await app.ready();
    return openApiDocument(app);
  } finally {
    await app.close();
    store.close();
  }
}

export const openapiCommand: Command = async (argv) => {
  const parsed = parseCommandLine(
    {
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    },
    HELP
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const doc = await generateOpenApi();
  if (values.out === undefined) out(doc);
  else writeFileSync(values.out, doc);
  return 0;
};
