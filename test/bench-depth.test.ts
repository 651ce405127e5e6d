import { describe, expect, it } from 'vitest';
import { dependentDepth, type Interval } from '../bench/depth.ts';
import { summarize } from '../bench/stats.ts';

const iv = (start: number, end: number): Interval => ({ start, end });

describe('dependentDepth', () => {
  it.each<[string, Interval[], number, number[]]>([
    ['no requests', [], 0, []],
    ['one request', [iv(0, 50)], 1, [0]],
    ['three in a row', [iv(0, 50), iv(51, 101), iv(102, 150)], 3, [0, 1, 2]],
    ['three in parallel', [iv(0, 50), iv(1, 52), iv(2, 49)], 1, [0]],
    ['a request starting exactly when the previous ended depends on it', [iv(0, 50), iv(50, 100)], 2, [0, 1]],
    // token; then project + sa + repo in parallel; then deploy after the slowest of them
    ['fan-out then join', [iv(0, 50), iv(51, 100), iv(52, 130), iv(53, 102), iv(131, 180)], 3, [0, 2, 4]],
    // a long request overlapping two short sequential ones: the short chain is longer
    [
      'long call overlapping a short chain',
      [iv(0, 300), iv(10, 60), iv(70, 120), iv(130, 180)],
      3,
      [1, 2, 3],
    ],
    ['order of the log does not matter', [iv(102, 150), iv(0, 50), iv(51, 101)], 3, [1, 2, 0]],
    [
      'independent chains: the longer wins',
      [iv(0, 10), iv(20, 30), iv(5, 100), iv(40, 50), iv(60, 70)],
      4,
      [0, 1, 3, 4],
    ],
  ])('%s', (_name, requests, depth, chain) => {
    const result = dependentDepth(requests);
    expect(result.depth).toBe(depth);
    expect(result.chain).toEqual(chain);
  });

  it('rejects a request that ends before it starts', () => {
    expect(() => dependentDepth([iv(10, 5)])).toThrow(/ends \(5\) before it starts \(10\)/);
  });
});

describe('summarize', () => {
  it.each<[number[], number, number, number]>([
    [[5], 5, 5, 5],
    [[3, 1, 2], 2, 1, 3],
    [[4, 1, 3, 2], 2.5, 1, 4],
    [[10, 10, 900, 11, 12], 11, 10, 900],
  ])('%j -> median %d, min %d, max %d', (values, median, min, max) => {
    expect(summarize(values)).toEqual({ median, min, max, n: values.length });
  });

  it('refuses an empty list', () => {
    expect(() => summarize([])).toThrow(/no values/);
  });
});
