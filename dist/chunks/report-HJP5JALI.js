import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{e as a,f as b,g as c}from"./chunk-YDJGF2HT.js";import"./chunk-STUY55P4.js";import"./chunk-GPYDX6SW.js";import"./chunk-4ZTLAXXX.js";import"./chunk-QFCQDGBE.js";import"./chunk-I7VP7DYM.js";import"./chunk-RMG3ODDT.js";import"./chunk-YC6VNAKC.js";export{b as placeFindings,c as publish,a as sourcesFrom};
