import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initWitness, startWitnessServer } from '../witness/witness-server.js';
import { out, readVkeyArgument, usage, UsageError, type Command } from './io.js';

const HELP = `Usage: yishi witness init --data DIR --name NAME
       yishi witness serve --data DIR [--port N] [--host HOST] --log-vkey VKEY [--log-vkey VKEY…]

A C2SP tlog-witness v1.0.0: cosigns a log's checkpoints after checking each is consistent with
the last one it cosigned, so a log cannot show two histories without one witness noticing.

  init   writes DIR/witness.key (mode 0600) and DIR/witness.vkey (a cosignature/v1 vkey)
  serve  serves POST /add-checkpoint and GET /<hex sha256(origin)>/checkpoint; state in
         DIR/witness.db. --log-vkey (repeatable): a log's vkey, or a file holding it.
Options: --port N (default 8090), --host HOST (default 127.0.0.1), -h, --help
`;

export const witnessCommand: Command = async (argv) => {
  const [sub, ...rest] = argv;
  const { values } = usage(() =>
    parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        name: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'log-vkey': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help || sub === '--help' || sub === '-h' || sub === undefined) {
    out(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!values.data) throw new UsageError('--data DIR is required');
  if (sub === 'init') {
    if (!values.name) throw new UsageError('--name NAME is required');
    mkdirSync(values.data, { recursive: true });
    const { vkey, paths } = initWitness(values.data, values.name);
    out(
      `Created witness ${values.name} in ${values.data}\n  key:  ${paths.key} (keep it secret)\n  vkey: ${vkey}\n`
    );
    return 0;
  }
  if (sub === 'serve') {
    const logVkeys = (values['log-vkey'] ?? []).map(readVkeyArgument);
    if (logVkeys.length === 0) throw new UsageError('give at least one --log-vkey');
    const port = Number(values.port ?? 8090);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('bad --port');
    const server = await startWitnessServer({
      dataDir: values.data,
      logVkeys,
      port,
      host: values.host ?? '127.0.0.1',
      logger: true,
    });
    out(`witness ${server.vkey} listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  }
  throw new UsageError(`unknown witness command '${sub}' (init or serve)`);
};
