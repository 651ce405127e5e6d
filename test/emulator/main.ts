// `npm run emulator -- --port PORT --scenario FILE [--latency-ms N] [--propagation-delay-ms N]`
// Runs the emulator in the foreground until interrupted.
import { parseArgs } from 'node:util';
import { type StartOptions, startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    scenario: { type: 'string' },
    'latency-ms': { type: 'string' },
    'propagation-delay-ms': { type: 'string' },
  },
});

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${v}"`);
    process.exit(2);
  }
  return n;
}

if (!values.scenario) {
  console.error(
    'usage: npm run emulator -- --port PORT --scenario FILE [--latency-ms N] [--propagation-delay-ms N]',
  );
  process.exit(2);
}
const opts: StartOptions = { scenario: values.scenario, port: int('port', values.port) };
if (values['latency-ms'] !== undefined) opts.latencyMs = int('latency-ms', values['latency-ms']);
if (values['propagation-delay-ms'] !== undefined) {
  opts.propagationDelayMs = int('propagation-delay-ms', values['propagation-delay-ms']);
}

const emu = await startEmulator(opts);
console.log(`emulator listening on ${emu.url}`);
const shutdown = () => {
  emu.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
