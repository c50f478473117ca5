// Child process of the verify benchmark: `yishi verify ARGS` or `yishi audit ARGS` exactly as the
// CLI runs it (the same main()), then the process's CPU time (all threads) on stderr, which a
// noisy machine does not inflate the way it inflates wall time.
import { main } from '@yishi/service';

process.exitCode = await main(process.argv.slice(2));
process.stderr.write(`\n@@cpu ${JSON.stringify(process.cpuUsage())}\n`);
