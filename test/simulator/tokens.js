// Who may call the simulator: tokens that look like real personal access tokens
// (ghp_ + 30 random base62 characters + a 6-character CRC32 checksum), the GitHub user
// each belongs to (several tokens may share one user, and so one quota), and a few
// well-formed tokens GitHub does not know (401 Bad credentials).
import zlib from 'node:zlib';

import { hash32, Random } from './random.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(number, width) {
  let out = '';
  let n = number;
  do { out = BASE62[n % 62] + out; n = Math.floor(n / 62); } while (n > 0);
  return out.padStart(width, '0');
}

function makeToken(random) {
  const body = random.chars(30, BASE62);
  return `ghp_${body}${base62(zlib.crc32(body), 6)}`;
}

function userFor(login) {
  return { login, id: 10_000_000 + (hash32(login) % 90_000_000) };
}

/**
 * @param {{seed, tokens?: number|string[], users?: string[]|object|Function, badTokens?: number}} options
 *   users: logins by token index (array), by token (object), or (token, index) => login.
 *   Default: one user per token.
 */
export function makeIdentities({ seed = 1, tokens = 10, users, badTokens = 2 } = {}) {
  const random = new Random(`tokens:${seed}`);
  const list = Array.isArray(tokens) ? [...tokens] : Array.from({ length: tokens }, () => makeToken(random));
  const bad = Array.from({ length: badTokens }, () => makeToken(random));
  const userOf = new Map();
  const byLogin = new Map();
  list.forEach((token, index) => {
    let login;
    if (Array.isArray(users)) login = users[index];
    else if (typeof users === 'function') login = users(token, index);
    else if (users && typeof users === 'object') login = users[token];
    login ??= `sim-user-${String(index + 1).padStart(2, '0')}`;
    if (!byLogin.has(login)) byLogin.set(login, userFor(login));
    userOf.set(token, byLogin.get(login));
  });
  return { tokens: list, badTokens: bad, userOf, users: byLogin };
}

/** The token of an Authorization header ("token X", "Bearer X"), or null. */
export function tokenOf(header) {
  if (!header) return null;
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

export const ANONYMOUS = { login: '', id: 0, anonymous: true };
