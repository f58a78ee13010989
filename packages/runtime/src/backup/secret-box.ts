// Secrets the control plane must use again in the clear (an AWS-style signing secret: SigV4 signs
// with it, so it cannot be hashed) are sealed under the master key. The purpose is bound into each
// sealed text, so a secret sealed for one use never opens as another's.
import { openBytes, sealBytes } from "./master-key.js";

export interface SecretBox {
  seal(purpose: string, plaintext: string): string;
  /** Throws BackupTamperedError for a text altered, sealed under another key or for another purpose. */
  open(purpose: string, sealed: string): string;
}

const aad = (purpose: string) => Buffer.from(`cacheplane secret v1 ${purpose}`);

export function createSecretBox(masterKey: Buffer): SecretBox {
  return {
    seal: (purpose, plaintext) => sealBytes(masterKey, Buffer.from(plaintext, "utf8"), aad(purpose)),
    open: (purpose, sealed) => openBytes(masterKey, sealed, aad(purpose), `sealed ${purpose}`).toString("utf8"),
  };
}
