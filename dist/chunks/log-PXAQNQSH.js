import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{p as a,q as b,r as c,s as d}from"./chunk-F2RILEOD.js";import"./chunk-F2SCBY65.js";export{b as fail,a as log,d as setOutput,c as writeSummary};
