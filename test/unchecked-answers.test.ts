// Units of issue 16: the decoders' wording, the etag rule of policy writes, the token-shape
// redaction of the one writer, and the token endpoints' answers checked and masked on arrival.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkTokenAnswer, scrubTokenError } from '../src/auth/auth-answers.ts';
import { BAD_ANSWER, BadAnswer, shapeOf } from '../src/gcp/answer.ts';
import { toApiError } from '../src/gcp/errors.ts';
import { decodePolicy } from '../src/gcp/iam.ts';
import { decodeJob, decodeOperation } from '../src/gcp/run.ts';
import { guardedWrite } from '../src/iam/fix.ts';
import { forLog, md, redactTokens } from '../src/output/escape.ts';
import { setOutput } from '../src/output/log.ts';

const ACCESS = `ya29.${'a1B2c3D4e5'.repeat(6)}`;
const JWT = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"repo:acme/x"}').toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;

afterEach(() => vi.restoreAllMocks());

describe('decoded policies', () => {
  const full = {
    version: 3,
    etag: 'BwX1',
    bindings: [
      { role: 'roles/viewer', members: ['user:a@example.com'] },
      {
        role: 'roles/run.invoker',
        members: ['group:g@example.com'],
        condition: { expression: 'request.time < timestamp("2030-01-01T00:00:00Z")', title: 'until 2030' },
      },
    ],
    auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'DATA_READ' }] }],
    kind: 'storage#policy',
  };

  it('keeps every field of a well-formed policy, conditions and audit configs verbatim', () => {
    expect(decodePolicy('iam.googleapis.com', structuredClone(full))).toEqual(full);
  });

  it.each([
    [{}, 'policy.etag is missing'],
    [[], 'policy is a JSON array, expected an object'],
    ['<html><body>proxy</body></html>', 'policy is HTML or XML, not JSON'],
    ['{"etag":"BwX1","bindings":[{"ro', 'JSON that does not parse'],
    [{ etag: 'BwX1', bindings: {} }, 'policy.bindings is a JSON object, expected a list'],
    [{ etag: 'BwX1', bindings: [{ role: 'roles/x', members: 'user:a' }] }, 'policy.bindings[0].members is'],
    [{ etag: 'BwX1', bindings: [{ members: [] }] }, 'policy.bindings[0].role is missing'],
    [
      { etag: 'BwX1', bindings: [{ role: 'r', members: [], condition: { title: 't' } }] },
      'condition.expression is missing',
    ],
    [{ etag: 'BwX1', auditConfigs: 'all' }, 'policy.auditConfigs is'],
  ])('refuses %j with one error naming the API and what was wrong', (body, problem) => {
    const e = (() => {
      try {
        decodePolicy('secretmanager.googleapis.com', body);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(BadAnswer);
    const message = (e as Error).message;
    expect(message).toContain(
      'secretmanager.googleapis.com answered HTTP 200 with a body that is not a Policy: ',
    );
    expect(message).toContain(problem);
    expect(message).not.toContain('proxy');
    expect(toApiError(e).reason).toBe(BAD_ANSWER);
  });

  it('a write is built only from a read with an etag, and carries that etag', () => {
    const grant = {
      kind: 'secret' as const,
      resource: 'projects/p/secrets/s',
      role: 'roles/x',
      member: 'user:b@example.com',
    };
    const resource = { kind: 'secret' as const, name: grant.resource };
    const next = guardedWrite(structuredClone(full), [grant], resource);
    expect(next.etag).toBe('BwX1');
    expect(next.bindings).toHaveLength(3);
    expect(next.auditConfigs).toEqual(full.auditConfigs);
    expect(next.bindings?.[1]).toEqual(full.bindings[1]);
    expect(() => guardedWrite({ bindings: [] }, [grant], resource)).toThrow(
      /carried no etag; nothing is written/,
    );
  });
});

describe('decoded jobs and operations', () => {
  it('a job needs its name, template and etag; an operation its name', () => {
    const job = {
      name: 'projects/p/locations/l/jobs/j',
      etag: '"e"',
      template: { template: { containers: [] } },
    };
    expect(decodeJob(job)).toEqual(job);
    expect(() => decodeJob({})).toThrow(
      /run\.googleapis\.com answered HTTP 200 with a body that is not a Job: job\.name is missing/,
    );
    expect(() => decodeJob([job])).toThrow(/not a Job: job is a JSON array/);
    expect(() => decodeJob({ ...job, etag: undefined })).toThrow(/job\.etag is missing/);
    expect(() => decodeOperation({ done: true })).toThrow(/not an Operation: operation\.name is missing/);
  });

  it('describes a body without quoting it', () => {
    expect(shapeOf('')).toBe('empty');
    expect(shapeOf(`{"access_token":"${ACCESS}`)).toMatch(/^JSON that does not parse/);
    expect(shapeOf(`{"access_token":"${ACCESS}`)).not.toContain('ya29');
  });
});

describe('token endpoints', () => {
  it('mask a token the moment it arrives, and refuse an answer that is not the message', async () => {
    const masked: string[] = [];
    const { guardTokenTransport } = await import('../src/auth/auth-answers.ts');
    guardTokenTransport(undefined, (s) => masked.push(s));
    checkTokenAnswer('https://sts.googleapis.com/v1/token', {
      access_token: ACCESS,
      token_type: 'Bearer',
      expires_in: 3599,
    });
    expect(masked).toEqual([ACCESS]);
    // Half an answer: the token is masked, then the answer refused, without the token in the error.
    expect(() => checkTokenAnswer('https://sts.googleapis.com/v1/token', { access_token: ACCESS })).toThrow(
      /^sts\.googleapis\.com answered HTTP 200 with a body that is not a token exchange answer: .*token_type is missing$/,
    );
    expect(masked).toEqual([ACCESS, ACCESS]);
    const truncated = `{"access_token":"${ACCESS}","token_ty`;
    let error: unknown;
    try {
      checkTokenAnswer('https://sts.googleapis.com/v1/token', truncated);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/not a token exchange answer: .*JSON that does not parse/);
    expect(String(error)).not.toContain(ACCESS.slice(0, 20));
    expect(() =>
      checkTokenAnswer(
        'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.c:generateAccessToken',
        {},
      ),
    ).toThrow(
      /iamcredentials\.googleapis\.com answered HTTP 200 with a body that is not a GenerateAccessTokenResponse: .*accessToken is missing/,
    );
  });

  it("never carry an auth endpoint's text body into an error, keep a JSON one for diagnosis", () => {
    const failed = (data: unknown) => ({
      message: 'Request failed with status code 400',
      config: { url: 'https://sts.googleapis.com/v1/token' },
      response: { status: 400, data, headers: {} },
    });
    const text = scrubTokenError(failed(`garbage ${ACCESS}`));
    expect(text).toBeInstanceOf(BadAnswer);
    expect(String((text as Error).message)).toBe(
      'sts.googleapis.com answered HTTP 400 with a body that is text, not JSON (73 characters)',
    );
    expect(JSON.stringify(toApiError(text))).not.toContain('ya29');
    const oauth = scrubTokenError(failed('{"error":"invalid_grant","error_description":"expired"}'));
    expect(toApiError(oauth).reason).toBe('invalid_grant');
  });
});

describe('the writer redacts anything shaped like a token', () => {
  it('in lines, Markdown and outputs', () => {
    const text = `token ${ACCESS} and jwt ${JWT} end`;
    expect(redactTokens(text)).toBe('token [redacted access token] and jwt [redacted JWT] end');
    expect(forLog(text)).not.toMatch(/ya29\.a1|eyJhbGci/);
    expect(md(text)).not.toMatch(/ya29\.a1|eyJhbGci/);
    // Prose about tokens stays readable.
    expect(redactTokens('an access token starts with ya29. and a JWT with eyJ')).toBe(
      'an access token starts with ya29. and a JWT with eyJ',
    );
    let written = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
    const file = process.env.GITHUB_OUTPUT;
    delete process.env.GITHUB_OUTPUT;
    try {
      setOutput('findings', JSON.stringify([{ evidence: text }]));
    } finally {
      if (file !== undefined) process.env.GITHUB_OUTPUT = file;
    }
    expect(written).toContain('[redacted access token]');
    expect(written).not.toMatch(/ya29\.a1|eyJhbGci/);
  });
});

describe('smaller items of issue 16', () => {
  it('a metadata glob matching more files than one step deploys is refused, naming the input and the fix', async () => {
    const { MAX_METADATA_FILES, metadataPaths } = await import('../src/inputs/targets.ts');
    const problems: string[] = [];
    const many = Array.from({ length: 500 }, (_, i) => `jobs/job-${String(i).padStart(3, '0')}.yaml`);
    const paths = metadataPaths(
      'jobs/*.yaml',
      '/ws',
      () => many,
      (m) => problems.push(m),
    );
    expect(problems).toEqual([
      `Input "metadata" matches 500 files, more than the ${MAX_METADATA_FILES} one step deploys: narrow the glob (e.g. jobs/*.yaml), or split the files across the jobs of a matrix`,
    ]);
    expect(paths).toHaveLength(MAX_METADATA_FILES);
    const fine: string[] = [];
    expect(
      metadataPaths(
        'jobs/*.yaml',
        '/ws',
        () => many.slice(0, 3),
        (m) => fine.push(m),
      ),
    ).toHaveLength(3);
    expect(fine).toEqual([]);
  });

  it('an input refusal says nothing was changed (reads may have happened before it)', async () => {
    const { invalidInput } = await import('../src/diagnose/remedies-input.ts');
    expect(invalidInput({ evidence: 'x', subject: 'job' }).remedy).toMatch(
      /nothing was changed in Google Cloud/i,
    );
    expect(invalidInput({ evidence: 'x', subject: 'job' }).remedy).not.toMatch(/nothing was sent/i);
  });

  it("a malformed answer is the API's fault named as such, never an internal TypeError", () => {
    for (const body of [null, 'null', 42, [], {}, '<html>']) {
      let e: unknown;
      try {
        decodeOperation(body);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(BadAnswer);
      expect(e).not.toBeInstanceOf(TypeError);
    }
  });
});
