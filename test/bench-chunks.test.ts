// bench/chunks.ts: which chunks a chunk loads statically (pure; no bundle needed).
import { describe, expect, it } from 'vitest';
import { staticClosure, staticImports } from '../bench/chunks.ts';

describe('staticImports', () => {
  it('finds static imports of sibling chunks, not dynamic ones nor packages', () => {
    const src =
      'import{a as b}from"./chunk-A.js";import"./chunk-B.js";import{createRequire as c}from"node:module";' +
      'var x=()=>import("./report-C.js");export{b};import {d} from "../e.js"';
    expect(staticImports(src)).toEqual(['./chunk-A.js', './chunk-B.js', '../e.js']);
  });
});

describe('staticClosure', () => {
  it('walks every chunk reached statically, once, through cycles', () => {
    const files: Record<string, string> = {
      '/d/chunks/main-1.js': 'import{a}from"./chunk-A.js";const r=()=>import("./report-R.js");',
      '/d/chunks/chunk-A.js': 'import"./chunk-B.js";',
      '/d/chunks/chunk-B.js': 'import"./chunk-A.js";',
      '/d/chunks/report-R.js': 'import"./chunk-U.js";',
    };
    const read = (p: string) => files[p] ?? '';
    expect([...staticClosure('/d/chunks/main-1.js', read)].sort()).toEqual([
      '/d/chunks/chunk-A.js',
      '/d/chunks/chunk-B.js',
      '/d/chunks/main-1.js',
    ]);
  });
});
