'use strict';
// restify 11 loads spdy at start-up but uses it only when a server is created with `spdy` options.
// This bot never does; if someone does, say so instead of failing deep inside spdy.
function unsupported() {
  throw new Error('HTTP/2 through restify (the spdy option) is not supported here; terminate TLS and HTTP/2 at the proxy');
}
module.exports = { createServer: unsupported, Agent: unsupported, createAgent: unsupported };
