/**
 * The messages between the Electron main process and the engine's utilityProcess
 * (electron/main/engine-host.ts ⇄ ./child.ts). Both sides parse what they receive: a message that
 * does not match is dropped, never trusted. Passwords travel only as `credentials.*` answers, over
 * the process's message port — never in argv or the environment, never logged.
 *
 *   main → child   init · invoke · startBackgroundSync · credentials.result · close
 *   child → main   ready · failed · result · event · credentials.get/set/delete · closed
 *
 * Runs in both processes: imports shared/ and zod only (no 'electron', no Node APIs).
 */
import { z } from 'zod';
import { ErrorInfo, type Result } from '../../shared/domain/errors.js';

const Id = z.number().int().positive();
/** A request id: each side numbers its own requests. */
const Seq = z.number().int().nonnegative();

const ResultEnvelope = z.union([
  // A missing value is undefined (a void answer): structured clone may or may not keep the key.
  z.object({ ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: ErrorInfo }),
]);

export const EngineInit = z.object({
  dataDir: z.string().min(1),
  version: z.string(),
  background: z.boolean(),
  /** Where passwords are kept, for the user (CredentialStore.description). */
  credentialsDescription: z.string(),
});
export type EngineInit = z.infer<typeof EngineInit>;

export const ToChild = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), options: EngineInit }),
  z.object({ type: z.literal('invoke'), id: Seq, name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('startBackgroundSync') }),
  /** The answer to one of the child's credentials.* requests. */
  z.object({ type: z.literal('credentials.result'), id: Seq, result: ResultEnvelope }),
  /** Finish the current transactions, LOGOUT of every IMAP session, close the store, then say 'closed'. */
  z.object({ type: z.literal('close') }),
]);
export type ToChild = z.infer<typeof ToChild>;

export const ToParent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** The engine could not open (the store is damaged, the disk is full …): a person-readable reason. */
  z.object({ type: z.literal('failed'), error: ErrorInfo }),
  z.object({ type: z.literal('result'), id: Seq, result: ResultEnvelope }),
  z.object({ type: z.literal('event'), name: z.string(), payload: z.unknown() }),
  z.object({ type: z.literal('credentials.get'), id: Seq, accountId: Id }),
  z.object({ type: z.literal('credentials.set'), id: Seq, accountId: Id, password: z.string().min(1).max(4096) }),
  z.object({ type: z.literal('credentials.delete'), id: Seq, accountId: Id }),
  z.object({ type: z.literal('closed') }),
]);
export type ToParent = z.infer<typeof ToParent>;

export type CredentialsRequest = Extract<ToParent, { type: `credentials.${string}` }>;

/** Parses a message from the parent, or null (a stray or malformed message is ignored). */
export function parseToChild(message: unknown): ToChild | null {
  const parsed = ToChild.safeParse(message);
  return parsed.success ? parsed.data : null;
}

/** Parses a message from the child, or null. */
export function parseToParent(message: unknown): ToParent | null {
  const parsed = ToParent.safeParse(message);
  return parsed.success ? parsed.data : null;
}

/** The envelope as the contract types it (the schema above is its runtime check). */
export function asResult(envelope: z.infer<typeof ResultEnvelope>): Result<unknown> {
  return envelope.ok ? { ok: true, value: envelope.value } : { ok: false, error: envelope.error };
}
