import { z } from 'zod';
import { Account, AccountInput, Id } from '../domain/account.js';
import { Mailbox, Namespace } from '../domain/mailbox.js';

/**
 * The one source of truth for what the renderer may ask of the engine and what the engine tells
 * the renderer. Electron's preload, the browser-mode WebSocket bridge and the CLI all speak it; the
 * engine's service is a mapped type over `requests`, so a forgotten handler fails to compile, and
 * every input is parsed with its schema at the boundary (the renderer is an untrusted web page).
 */
export const requests = {
  'app.info': {
    input: z.object({}),
    output: z.object({ version: z.string(), host: z.enum(['electron', 'web', 'cli']), platform: z.string() }),
  },
  'accounts.list': {
    input: z.object({}),
    output: z.array(Account),
  },
  /** Tests the connection and the login first; nothing is stored when that fails. */
  'accounts.add': {
    input: AccountInput,
    output: Account,
  },
  'accounts.remove': {
    input: z.object({ accountId: Id }),
    output: z.object({ removed: z.literal(true) }),
  },
  /** The folders as stored locally: answers offline at once. */
  'mailboxes.list': {
    input: z.object({ accountId: Id }),
    output: z.object({ mailboxes: z.array(Mailbox), namespaces: z.array(Namespace), refreshedAt: z.string().nullable() }),
  },
  /** Asks the server for the folder list (LIST, NAMESPACE, STATUS) and stores it. */
  'mailboxes.refresh': {
    input: z.object({ accountId: Id }),
    output: z.object({ mailboxes: z.array(Mailbox), namespaces: z.array(Namespace), refreshedAt: z.string().nullable() }),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'accounts.changed': z.object({}),
  'mailboxes.changed': z.object({ accountId: Id }),
  /** A server [ALERT] (RFC 3501 7.1): the user must see it. */
  'server.alert': z.object({ accountId: Id, message: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type RequestInput<N extends RequestName> = z.input<(typeof requests)[N]['input']>;
export type ParsedInput<N extends RequestName> = z.output<(typeof requests)[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<(typeof requests)[N]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
