// Stores role passwords as PostgreSQL does: a SCRAM-SHA-256 verifier (or, with md5 authentication,
// PostgreSQL's md5 hash), never the clear text.
import { pbkdf2Sync, createHmac, createHash, randomBytes } from 'node:crypto';

export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** PostgreSQL's password_encryption: the stored form of a password given in clear text. */
export function storedPassword(password: string, user: string, encryption: 'scram-sha-256' | 'md5'): string {
  if (password.startsWith('SCRAM-SHA-256$') || /^md5[0-9a-f]{32}$/.test(password)) return password;
  if (encryption === 'md5') return 'md5' + createHash('md5').update(password + user).digest('hex');
  return scramVerifier(password);
}
