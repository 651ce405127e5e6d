import { describe, expect, it } from 'vitest';
import { regionWarning } from '../src/diagnose/remedies-setup.ts';
import { CLOUD_RUN_REGIONS, editDistance, nearestRegion } from '../src/job/regions.ts';

describe('Cloud Run regions', () => {
  it.each([
    ['us-centrall1', 'us-central1'],
    ['us-cetnral1', 'us-central1'],
    ['europe-west', 'europe-west1'],
    ['asia-northeast', 'asia-northeast1'],
  ])('%s is near %s', (typo, near) => expect(nearestRegion(typo)).toBe(near));

  it('suggests nothing for a name far from every region', () => {
    expect(nearestRegion('mars-north1')).toBeUndefined();
  });

  it('counts edits, an adjacent swap as one', () => {
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('abc', 'abcd')).toBe(1);
    expect(editDistance('', 'ab')).toBe(2);
  });

  it('a known region raises nothing; an unknown one a warning naming the input', () => {
    for (const r of CLOUD_RUN_REGIONS) expect(regionWarning(r)).toBeUndefined();
    expect(regionWarning('us-centrall1')).toMatchObject({
      status: 'warning',
      subject: 'region',
      title: 'Region "us-centrall1" looks like a typo of us-central1',
    });
    expect(regionWarning('mars-north1')?.title).toBe(
      'Region "mars-north1" is not a Cloud Run region this action knows',
    );
  });
});
