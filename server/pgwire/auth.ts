// Password checks for cleartext, md5 and SCRAM-SHA-256 (RFC 5802 / RFC 7677 as PostgreSQL does it).
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export function md5Hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/**
 * The response a client sends to AuthenticationMD5Password: 'md5' + md5(md5(password + user) + salt).
 * `secret` may also be a stored pg_authid-style hash 'md5' + md5(password + user).
 */
export function md5Response(secret: string, user: string, salt: Uint8Array): string {
  const inner = /^md5[0-9a-f]{32}$/.test(secret) ? secret.slice(3) : md5Hex(secret + user);
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(inner, 'utf8'), salt]));
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export interface ScramKeys {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const SCRAM_ITERATIONS = 4096;

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function pbkdf2Async(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password.normalize('NFKC'), salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Parses 'SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>'; null if it is not a verifier. */
export function parseScramVerifier(secret: string): ScramKeys | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(secret);
  if (!m) return null;
  const storedKey = Buffer.from(m[3]!, 'base64');
  const serverKey = Buffer.from(m[4]!, 'base64');
  if (storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey, serverKey };
}

/** Keys for a secret that is a stored verifier or a clear password (derived with a fresh salt). */
export async function scramKeysFor(secret: string): Promise<ScramKeys> {
  const parsed = parseScramVerifier(secret);
  if (parsed) return parsed;
  const salt = randomBytes(16);
  const salted = await pbkdf2Async(secret, salt, SCRAM_ITERATIONS);
  const clientKey = hmac(salted, 'Client Key');
  return { iterations: SCRAM_ITERATIONS, salt, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** Checks a cleartext password against a stored secret: SCRAM verifier, 'md5…' hash, or clear text. */
export async function passwordMatches(password: string, user: string, secret: string): Promise<boolean> {
  const keys = parseScramVerifier(secret);
  if (keys) {
    const salted = await pbkdf2Async(password, keys.salt, keys.iterations);
    return sha256(hmac(salted, 'Client Key')).equals(keys.storedKey);
  }
  if (/^md5[0-9a-f]{32}$/.test(secret)) return safeEqual('md5' + md5Hex(password + user), secret);
  return safeEqual(password, secret);
}

/** Keys that no password matches, so a user without a password goes through the exchange and fails. */
export function mockScramKeys(): ScramKeys {
  return { iterations: SCRAM_ITERATIONS, salt: randomBytes(16), storedKey: randomBytes(32), serverKey: randomBytes(32) };
}

/** Builds a stored verifier from a clear password (handy for tests and for CREATE ROLE ... PASSWORD). */
export async function makeScramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): Promise<string> {
  const salted = await pbkdf2Async(password, salt, iterations);
  const clientKey = hmac(salted, 'Client Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${sha256(clientKey).toString('base64')}:${hmac(salted, 'Server Key').toString('base64')}`;
}

/** Thrown for a malformed SCRAM message (the connection reports 08P01). */
export class ScramProtocolError extends Error {}

/** Server side of one SCRAM-SHA-256 exchange. */
export class ScramServer {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  constructor(private readonly keys: ScramKeys) {}

  /** Handles client-first-message; returns server-first-message. */
  first(clientFirst: string): string {
    // gs2-header: 'n' (no channel binding) or 'y' (client could, thinks we can't); 'p=' needs -PLUS, which we don't offer
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!m) {
      if (clientFirst.startsWith('p=')) throw new ScramProtocolError('channel binding is not supported');
      throw new ScramProtocolError('malformed SCRAM message');
    }
    const bare = m[3]!;
    const attrs = /^(?:m=[^,]*,)?n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?$/.exec(bare);
    if (!attrs) throw new ScramProtocolError('malformed SCRAM message');
    if (bare.startsWith('m=')) throw new ScramProtocolError('unsupported SCRAM extension');
    this.gs2Header = clientFirst.slice(0, clientFirst.length - bare.length);
    this.clientFirstBare = bare;
    this.nonce = attrs[1]! + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.keys.salt.toString('base64')},i=${this.keys.iterations}`;
    return this.serverFirst;
  }

  /** Handles client-final-message; returns server-final-message, or null if the proof is wrong. */
  final(clientFinal: string): string | null {
    const m = /^c=([A-Za-z0-9+/=]*),r=([^,]*)(?:,(?!p=)[^,]*)*,p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!m) throw new ScramProtocolError('malformed SCRAM message');
    if (Buffer.from(m[1]!, 'base64').toString('latin1') !== this.gs2Header) throw new ScramProtocolError('SCRAM channel binding check failed');
    if (m[2] !== this.nonce) throw new ScramProtocolError('SCRAM nonce mismatch');
    const proof = Buffer.from(m[3]!, 'base64');
    if (proof.length !== 32) throw new ScramProtocolError('malformed SCRAM message');
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.keys.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.keys.storedKey)) return null;
    return `v=${hmac(this.keys.serverKey, authMessage).toString('base64')}`;
  }
}
