import { describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from '../src/gcp/timeout.ts';

describe('withTimeout', () => {
  it('passes a prompt answer through', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000, 'answer', 'sts.googleapis.com')).resolves.toBe(42);
  });

  it('rejects with what was attempted when no answer comes in time', async () => {
    const never = new Promise<never>(() => {});
    const err = await withTimeout(never, 20, 'exchange the token', 'sts.googleapis.com').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({
      code: 'ETIMEDOUT',
      message: 'no answer from sts.googleapis.com after 0.02 s while trying to exchange the token',
    });
  });

  it('keeps the call’s own failure', async () => {
    await expect(withTimeout(Promise.reject(new Error('denied')), 1_000, 'x', 'GitHub')).rejects.toThrow(
      'denied',
    );
  });
});
