import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b}from"./chunk-EUGUXEXW.js";import"./chunk-TMNSK24O.js";import"./chunk-ZP22YZOA.js";import"./chunk-RMG3ODDT.js";import"./chunk-F2RILEOD.js";import"./chunk-F2SCBY65.js";export{a as GithubRequestError,b as githubIdToken};
