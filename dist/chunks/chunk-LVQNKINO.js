const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{a as r,c as i}from"./chunk-7L2VGD67.js";var o=i((p,e)=>{e.exports=r("node:path")});export{o as a};
