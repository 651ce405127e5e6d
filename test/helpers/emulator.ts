// What the emulator's own tests share: one emulator per test file, started before its tests
// and stopped after them, JSON calls to it as a principal, and the real Cloud Run v2 client
// pointed at it.
import { run_v2 } from '@googleapis/run';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type StartOptions, startEmulator } from '../emulator/server.ts';

/** Start an emulator for this test file; the returned function gives it to the tests. */
export function useEmulator(options: StartOptions): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator(options);
  });
  afterAll(() => emu?.stop());
  return () => {
    if (!emu) throw new Error('the emulator is not started yet (use it inside a test or a hook)');
    return emu;
  };
}

/** One JSON call to the emulator with `token`: its status and parsed body. */
export async function emulatorJson(
  emu: Emulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies inspected field by field in assertions
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

type GoogleApisAuth = NonNullable<ConstructorParameters<typeof run_v2.Run>[0]['auth']>;

/** The real Cloud Run Admin v2 client, as the service account `email`, against the emulator. */
export function runV2Client(emu: Emulator, email: string): run_v2.Run {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: emu.issueToken(`serviceAccount:${email}`) });
  // googleapis-common pins its own google-auth-library copy; the client is the same at runtime.
  return new run_v2.Run({ rootUrl: `${emu.url}/`, auth: auth as unknown as GoogleApisAuth });
}
