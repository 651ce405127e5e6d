import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b}from"./chunk-LI2CSTSC.js";import"./chunk-GPYDX6SW.js";import"./chunk-4ZTLAXXX.js";import"./chunk-I7VP7DYM.js";import"./chunk-RMG3ODDT.js";import"./chunk-YC6VNAKC.js";export{a as GithubRequestError,b as githubIdToken};
