const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);
var r=/^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/,t=/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;function e(o){return o.trim().replace(/^\/\/iam\.[^/]+\//,"")}export{r as a,t as b,e as c};
