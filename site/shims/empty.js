// Stand-in for `node-fetch`: tfjs-core's Node platform imports it, but in the browser the
// built-in fetch is used, so the bundle only needs something to resolve to.
export default {};
