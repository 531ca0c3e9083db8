// What server.mjs hands every loader and action besides the request.
declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address (Express's req.ip, which honours TRUST_PROXY). */
    clientAddress?: string;
    /** This request's Content-Security-Policy nonce for the inline scripts Remix writes. */
    cspNonce?: string;
  }
}

export {};
