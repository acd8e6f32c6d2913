import { APIKEY_BITS } from '../../lib/apikey.js';

/** The format and the storage advice, in the help of every apikey verb that makes or hashes a key. */
export const APIKEY_HELP = `
Format (GitHub's token format): <prefix>_<30 random base62 characters><6 base62 characters of the CRC32 of
everything before them>. 30 base62 characters are ${APIKEY_BITS} bits of randomness from the OS's CSPRNG. The prefix
lets secret scanners and people recognise the key; the checksum lets anyone reject a typo offline (apikey check).

Store only the hash (apikey hash, or "hash" in --json): sha256:<hex of SHA-256 over the key>. A slow password hash
(bcrypt, scrypt, argon2) makes guessing a weak *password* from its hash expensive; no hash speed brings a
${APIKEY_BITS}-bit random key within reach of guessing, so SHA-256 loses nothing — and a fast, unsalted hash lets the
server find the key by its hash in one indexed lookup per request. Compare in constant time.`;
