const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{a}from"./chunk-ZUOFVU7O.js";import"./chunk-7L2VGD67.js";export default a();
