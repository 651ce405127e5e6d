import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{n as a,o as b,p as c}from"./chunk-4ZTLAXXX.js";import"./chunk-YC6VNAKC.js";export{b as fail,a as log,c as writeSummary};
