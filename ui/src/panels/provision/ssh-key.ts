// The SSH public key to install on the servers, checked in the UI before it is kept: a private
// key pasted by mistake is refused at once (and the caller drops the text), so it never reaches
// the store, the shell or a log. The shell checks again (stagecraft_cloud::ssh_key).

const KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

export const PRIVATE_KEY_REFUSED =
  "This is a PRIVATE key. Stagecraft needs the public key: the .pub file next to it, one line starting with ssh-ed25519 or ssh-rsa. The private key was not kept or sent anywhere.";

export type KeyCheck = { ok: true; key: string } | { ok: false; reason: string };

export function looksPrivate(text: string): boolean {
  const upper = text.toUpperCase();
  return upper.includes("PRIVATE KEY") || upper.includes("PUTTY-USER-KEY-FILE");
}

/** The trimmed key line when `text` is one OpenSSH public key; otherwise why not. */
export function checkPublicKey(text: string): KeyCheck {
  if (looksPrivate(text)) return { ok: false, reason: PRIVATE_KEY_REFUSED };
  const line = text.trim();
  if (!line) return { ok: false, reason: "Paste an SSH public key or choose a .pub file." };
  if (line.split(/\r?\n/).length > 1) return { ok: false, reason: "An SSH public key is one line: <type> <key> [comment]." };
  const [kind = "", key = ""] = line.split(/\s+/);
  if (!KEY_TYPES.includes(kind)) return { ok: false, reason: `Not an SSH public key: it must start with ${KEY_TYPES.slice(0, 2).join(" or ")} (or another OpenSSH key type).` };
  if (key.length < 16 || key.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return { ok: false, reason: "The key part of the SSH public key is not valid base64." };
  return { ok: true, key: line };
}

/** A short label for a remembered key: its type, the end of the key, and its comment. */
export function describePublicKey(key: string): string {
  const [kind = "", body = "", ...comment] = key.split(/\s+/);
  return `${kind} …${body.slice(-8)}${comment.length ? ` ${comment.join(" ")}` : ""}`;
}
