"use strict";
// Portcullis sandbox harness. The only things a script can reach are `event` (a
// JSON copy), `api` / `context` (which record what the script asks for) and the
// JavaScript language itself: no require, fetch, timers, file system or process.
const __out = {
  idToken: {}, accessToken: {}, addScopes: [], removeScopes: [],
  deny: null, denyCode: null, userMetadata: {}, appMetadata: {}, lifetime: null, scopes: null, idTokenScopes: null,
  multifactor: null,
  logs: [], done: false, error: null,
};
const __unsupported = (what) => () => {
  throw new Error(`${what} is not supported by Portcullis`);
};
const __log = (...args) => {
  if (__out.logs.length < 50) {
    __out.logs.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ").slice(0, 1000));
  }
};
globalThis.console = Object.freeze({ log: __log, info: __log, warn: __log, error: __log, debug: __log });
const __name = (k) => {
  if (typeof k !== "string" || k.length === 0) {
    throw new TypeError("a claim name must be a non-empty string");
  }
  return k;
};
const __scope = (s) => {
  if (typeof s !== "string" || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) {
    throw new TypeError("a scope must be a non-empty string without spaces or quotes");
  }
  return s;
};
const __factors = (list) => {
  const types = list.map((f) => String(f && f.type));
  return { provider: types.length === 1 ? types[0] : "any", allowRememberBrowser: false };
};
const api = Object.freeze({
  idToken: Object.freeze({ setCustomClaim(k, v) { __out.idToken[__name(k)] = v; } }),
  accessToken: Object.freeze({
    setCustomClaim(k, v) { __out.accessToken[__name(k)] = v; },
    addScope(s) { __out.addScopes.push(__scope(s)); },
    removeScope(s) { __out.removeScopes.push(__scope(s)); },
  }),
  // post-login: deny(reason); credentials-exchange: deny(code, reason).
  access: Object.freeze({
    deny(a, b) {
      if (b !== undefined) { __out.denyCode = String(a); __out.deny = String(b); }
      else { __out.deny = String(a === undefined ? "Access denied" : a); }
    },
  }),
  user: Object.freeze({
    setUserMetadata(k, v) { __out.userMetadata[__name(k)] = v === undefined ? null : v; },
    setAppMetadata(k, v) { __out.appMetadata[__name(k)] = v === undefined ? null : v; },
  }),
  // Recorded; the flow then asks for a second factor or refuses the login,
  // never lets it through without one.
  multifactor: Object.freeze({
    enable(provider, options) {
      __out.multifactor = {
        provider: String(provider === undefined ? "any" : provider),
        allowRememberBrowser: !!(options && options.allowRememberBrowser),
      };
    },
  }),
  // Auth0's post-login `api.authentication.challengeWith(factor, {additionalFactors})`,
  // `challengeWithAny(factors)`, `enrollWith`, `enrollWithAny`: recorded as a
  // request for MFA limited to the one factor named (or any, for several).
  authentication: Object.freeze({
    challengeWith(factor, options) { __out.multifactor = __factors([factor].concat((options && options.additionalFactors) || [])); },
    challengeWithAny(factors) { __out.multifactor = __factors(factors || []); },
    enrollWith(factor, options) { __out.multifactor = __factors([factor].concat((options && options.additionalFactors) || [])); },
    enrollWithAny(factors) { __out.multifactor = __factors(factors || []); },
  }),
  redirect: Object.freeze({
    sendUserTo: __unsupported("api.redirect.sendUserTo"),
    encodeToken: __unsupported("api.redirect.encodeToken"),
    validateToken: __unsupported("api.redirect.validateToken"),
  }),
  // Auth0 documents its cache as best-effort; one that never hits is correct.
  cache: Object.freeze({
    get() { return undefined; },
    set() { return { type: "success" }; },
    delete() { return { type: "success" }; },
  }),
});
// Rules: `auth0.users.update*Metadata(id, metadata)`, persisted after the flow.
const auth0 = Object.freeze({
  users: Object.freeze({
    updateAppMetadata(_id, md) { Object.assign(__out.appMetadata, md || {}); return Promise.resolve(); },
    updateUserMetadata(_id, md) { Object.assign(__out.userMetadata, md || {}); return Promise.resolve(); },
  }),
});
class UnauthorizedError extends Error {
  constructor(message) { super(message); this.name = "UnauthorizedError"; }
}
const __fail = (e) => {
  __out.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  __out.done = true;
};
