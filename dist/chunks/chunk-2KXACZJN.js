const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
import{a as e,c as r}from"./chunk-7L2VGD67.js";var p=r((s,i)=>{i.exports=e("node:http")});var q=r((t,o)=>{o.exports=e("node:https")});export{p as a,q as b};
