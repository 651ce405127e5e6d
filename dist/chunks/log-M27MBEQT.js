const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{l as a,m as b,n as c,o as d}from"./chunk-COTPIYH3.js";import"./chunk-2KXACZJN.js";import"./chunk-ZYFPRN5O.js";import"./chunk-LVQNKINO.js";import"./chunk-5BBIVSJR.js";import"./chunk-ZUOFVU7O.js";import"./chunk-7L2VGD67.js";export{b as fail,a as log,d as setOutput,c as writeSummary};
