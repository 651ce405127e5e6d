// `npm run emulator -- --port PORT --scenario FILE [--latency-ms N] [--propagation-delay-ms N] [--roles FILE]`
// Runs the emulator in the foreground until interrupted. A world or role data that cannot be
// loaded is reported with its cause and the process exits 1 before listening.
import { parseArgs } from 'node:util';
import { predefinedRoles } from './iam-engine.ts';
import { type StartOptions, startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    scenario: { type: 'string' },
    'latency-ms': { type: 'string' },
    'propagation-delay-ms': { type: 'string' },
    roles: { type: 'string' },
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
    'usage: npm run emulator -- --port PORT --scenario FILE [--latency-ms N] [--propagation-delay-ms N] [--roles FILE]',
  );
  process.exit(2);
}
const opts: StartOptions = { scenario: values.scenario, port: int('port', values.port) };
if (values['latency-ms'] !== undefined) opts.latencyMs = int('latency-ms', values['latency-ms']);
if (values['propagation-delay-ms'] !== undefined) {
  opts.propagationDelayMs = int('propagation-delay-ms', values['propagation-delay-ms']);
}

if (values.roles !== undefined) opts.rolesFile = values.roles;

let emu: Awaited<ReturnType<typeof startEmulator>>;
try {
  emu = await startEmulator(opts);
} catch (e) {
  console.error(`emulator: cannot start: ${(e as Error).message}`);
  process.exit(1);
}
const roles = Object.keys(predefinedRoles()).length;
console.log(`emulator: world ${values.scenario}, ${roles} predefined roles`);
console.log(`emulator listening on ${emu.url}`);
const shutdown = () => {
  emu.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
