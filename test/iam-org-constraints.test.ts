import { describe, expect, it } from 'vitest';
import { decodeEffectivePolicy, MalformedOrgPolicy } from '../src/gcp/orgpolicy.ts';
import { exactMatch, listVerdict, locationMatch, restricts, underMatch } from '../src/iam/org-constraints.ts';

const allow = (...allowedValues: string[]) => ({ spec: { rules: [{ values: { allowedValues } }] } });

describe('listVerdict', () => {
  it('a policy set nowhere (allowAll, or no rules) allows every value and restricts nothing', () => {
    expect(listVerdict({ spec: { rules: [{ allowAll: true }] } }, 'x', exactMatch).state).toBe('allowed');
    expect(listVerdict({}, undefined, exactMatch).state).toBe('allowed');
    expect(restricts({ spec: { rules: [{ allowAll: true }] } })).toBe(false);
  });

  it('an allowed list refuses a value outside it and a job that sets none; is: is a plain value', () => {
    expect(listVerdict(allow('is:all-traffic'), 'all-traffic', exactMatch).state).toBe('allowed');
    expect(listVerdict(allow('all-traffic'), 'private-ranges-only', exactMatch)).toEqual({
      state: 'denied',
      why: 'allows only all-traffic',
    });
    expect(listVerdict(allow('default'), undefined, exactMatch).why).toBe(
      'allows only default, and the job sets none',
    );
  });

  it('denied values win; denyAll refuses everything', () => {
    const p = {
      spec: { rules: [{ values: { allowedValues: ['in:us-locations'], deniedValues: ['us-east1'] } }] },
    };
    expect(listVerdict(p, 'us-east1', locationMatch).state).toBe('denied');
    expect(listVerdict(p, 'us-central1', locationMatch).state).toBe('allowed');
    expect(listVerdict({ spec: { rules: [{ denyAll: true }] } }, 'x', exactMatch).state).toBe('denied');
  });

  it('location groups: continent and region groups are decided, other groups are unknown', () => {
    expect(listVerdict(allow('in:europe-locations'), 'us-central1', locationMatch).state).toBe('denied');
    expect(listVerdict(allow('in:us-central1-locations'), 'us-central1', locationMatch).state).toBe(
      'allowed',
    );
    expect(listVerdict(allow('in:eu-locations'), 'europe-west1', locationMatch).state).toBe('unknown');
  });

  it('under: matches a project, folder or organization above the value', () => {
    const m = underMatch(['projects/keys', 'folders/42', 'organizations/1']);
    expect(listVerdict(allow('under:folders/42'), 'keys', m).state).toBe('allowed');
    expect(listVerdict(allow('under:folders/7'), 'keys', m).state).toBe('denied');
  });

  it('a rule under a tag condition leaves an allowed verdict unknown', () => {
    const p = { spec: { rules: [{ allowAll: true }, { denyAll: true, condition: { title: 'prod only' } }] } };
    expect(listVerdict(p, 'x', exactMatch)).toMatchObject({ state: 'unknown' });
  });
});

describe('decodeEffectivePolicy', () => {
  it('keeps the fields of a Policy', () => {
    const body = {
      name: 'projects/1/policies/c',
      spec: { rules: [{ values: { allowedValues: ['a'] } }, { enforce: true }] },
    };
    expect(decodeEffectivePolicy(body, 'c')).toEqual(body);
  });

  it('one clear error naming the field for any other shape', () => {
    expect(() => decodeEffectivePolicy('nope', 'c on project p')).toThrow(MalformedOrgPolicy);
    const name = 'projects/1/policies/c';
    expect(() =>
      decodeEffectivePolicy({ name, spec: { rules: [{ enforce: 'yes' }] } }, 'c on project p'),
    ).toThrow('for c on project p: spec.rules[0].enforce has the wrong type');
    expect(() =>
      decodeEffectivePolicy({ name, spec: { rules: [{ values: { allowedValues: [1] } }] } }, 'c'),
    ).toThrow(/spec\.rules\[0\]\.values\.allowedValues/);
    // Google names the policy in every answer: `{}` is something else answering.
    expect(() => decodeEffectivePolicy({}, 'c')).toThrow('for c: name is missing');
  });
});
