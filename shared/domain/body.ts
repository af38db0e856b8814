import { z } from 'zod';
import { Id } from './account.js';
import { Address, AttachmentSummary, MessageSummary } from './message.js';

/**
 * Message bodies, MIME parts and search: what the renderer may ask (messages.get, messages.part,
 * messages.source, search.local, search.server) and what it gets back.
 */

/** An IMAP body part specifier (RFC 3501 6.4.5 section-part: "1", "1.2.3"), or "TEXT" for a whole malformed body. */
export const PartNumber = z
  .string()
  .min(1)
  .max(64)
  .regex(/^(\d+(\.\d+)*|TEXT)$/, 'not a MIME part number');
export type PartNumber = z.infer<typeof PartNumber>;

/** What is cached of a message locally: nothing, its text parts, or its whole source. */
export const BodyState = z.enum(['none', 'text', 'full']);
export type BodyState = z.infer<typeof BodyState>;

/** One node of the MIME tree (RFC 2045/2046), flattened in document order; `depth` gives the nesting. */
export const PartInfo = z.object({
  part: z.string(),
  depth: z.number().int().min(0),
  /** "text/plain", "multipart/alternative" … lower case. */
  contentType: z.string(),
  charset: z.string().nullable(),
  /** Size on the server in bytes, transfer-encoded (BODYSTRUCTURE body-fld-octets). */
  size: z.number().int().nullable(),
  /** RFC 2047/2231 decoded. */
  filename: z.string().nullable(),
  disposition: z.enum(['inline', 'attachment']).nullable(),
  /** Content-ID without angle brackets, for cid: references (RFC 2392). */
  contentId: z.string().nullable(),
  encoding: z.string().nullable(),
  cached: z.boolean(),
});
export type PartInfo = z.infer<typeof PartInfo>;

export const MessageDetail = z.object({
  summary: MessageSummary,
  from: z.array(Address),
  to: z.array(Address),
  cc: z.array(Address),
  bcc: z.array(Address),
  replyTo: z.array(Address),
  parts: z.array(PartInfo),
  /** The part to show as plain text, and the HTML alternative, when the message has them. */
  textPart: z.string().nullable(),
  htmlPart: z.string().nullable(),
  attachments: z.array(AttachmentSummary),
  bodyState: BodyState,
});
export type MessageDetail = z.infer<typeof MessageDetail>;

export const GetMessageInput = z.object({ id: Id });
export type GetMessageInput = z.infer<typeof GetMessageInput>;

export const GetPartInput = z.object({ id: Id, part: PartNumber });
export type GetPartInput = z.infer<typeof GetPartInput>;

/** A text part comes back decoded to Unicode; anything else as a file in the part cache. */
export const PartContent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('text'),
    part: z.string(),
    contentType: z.string(),
    /** The charset the bytes were decoded from (declared, or detected when the label was wrong). */
    charset: z.string(),
    text: z.string(),
    size: z.number().int(),
  }),
  z.object({
    kind: z.literal('file'),
    part: z.string(),
    contentType: z.string(),
    filename: z.string().nullable(),
    file: z.string(),
    /** Decoded size in bytes. */
    size: z.number().int(),
  }),
]);
export type PartContent = z.infer<typeof PartContent>;

/**
 * A message opened in the reader in one request (`messages.open`): its detail, and the part the
 * reader shows first (the HTML part, else the text part) when its text is cached on this computer —
 * null when it is not (the reader then asks `messages.part`, which may go to the server).
 */
export const OpenedMessage = z.object({ detail: MessageDetail, part: PartContent.nullable() });
export type OpenedMessage = z.infer<typeof OpenedMessage>;

/** Progress of a part being fetched from the server (the `messages.partProgress` event). */
export const PartProgress = z.object({
  id: Id,
  part: z.string(),
  /** Bytes received from the server so far (transfer-encoded). */
  received: z.number().int(),
  /** Expected bytes, from BODYSTRUCTURE; null when unknown. */
  total: z.number().int().nullable(),
});
export type PartProgress = z.infer<typeof PartProgress>;

export const GetSourceInput = z.object({ id: Id });
export type GetSourceInput = z.infer<typeof GetSourceInput>;

/** The raw RFC 5322 message: the cached file, and its text for "view source" (cut at `limit`). */
export const MessageSource = z.object({
  id: Id,
  file: z.string(),
  size: z.number().int(),
  text: z.string(),
  truncated: z.boolean(),
});
export type MessageSource = z.infer<typeof MessageSource>;

const FieldValue = z.string().trim().min(1).max(500);
/** A field's terms: each must match; an entry that is a list is alternatives (`from:a OR from:b`), one of which must. */
const FieldTerms = z
  .array(z.union([FieldValue, z.array(FieldValue).min(2).max(20)]))
  .max(20)
  .optional();
/** One field term: a value, or alternatives of which one must match. */
export type FieldTerm = string | string[];

/**
 * The search box's conditions, which local and server search both apply: is:… and has:… (only
 * messages in this state), and the field conditions from:, to: (any recipient: To, Cc, Bcc) and
 * subject:, each value a substring of that field (ASCII case folded locally; the server's SEARCH
 * keys FROM, TO/CC/BCC and SUBJECT). Applied before the limit.
 */
const SearchConditions = {
  unread: z.boolean().optional(),
  read: z.boolean().optional(),
  flagged: z.boolean().optional(),
  hasAttachments: z.boolean().optional(),
  from: FieldTerms,
  to: FieldTerms,
  subject: FieldTerms,
};

export const SearchLocalInput = z.object({
  /** Words, "phrases", -word, `a OR b` (shared/domain/query.ts); an OR query's hits come newest first. */
  query: z.string().trim().min(1, 'Enter something to search for').max(500),
  accountId: Id.optional(),
  mailboxId: Id.optional(),
  limit: z.number().int().min(1).max(500).default(100),
  ...SearchConditions,
});
export type SearchLocalInput = z.infer<typeof SearchLocalInput>;

export const ServerSearchField = z.enum(['text', 'subject', 'from']);
export type ServerSearchField = z.infer<typeof ServerSearchField>;

export const SearchServerInput = z
  .object({
    accountId: Id,
    /** The folder to search; omitted, every folder of the account that holds mail (INBOX first). */
    mailboxId: Id.optional(),
    /**
     * Words and "quoted phrases" (queryTerms), each a key of its own, all required; `-word` and
     * `-"a phrase"` are NOT keys; `a OR b` one OR key. Empty when the
     * conditions below are the whole search (e.g. `is:read` alone).
     */
    query: z.string().trim().max(500).default(''),
    /** IMAP SEARCH key (RFC 3501 6.4.4) the query's terms are: TEXT (headers and body), SUBJECT or FROM. */
    field: ServerSearchField.default('text'),
    limit: z.number().int().min(1).max(5000).default(500),
    /** As search.local takes them: UNSEEN, SEEN, FLAGGED, FROM, TO/CC/BCC, SUBJECT; attachments by BODYSTRUCTURE. */
    ...SearchConditions,
  })
  .refine(
    (q) => q.query !== '' || q.unread || q.read || q.flagged || q.hasAttachments || q.from?.length || q.to?.length || q.subject?.length,
    { message: 'Enter something to search for', path: ['query'] },
  );
export type SearchServerInput = z.infer<typeof SearchServerInput>;

/** A server-only hit's sender, subject, date (INTERNALDATE, ISO 8601; '' when the server gave none) and size, from one FETCH with the search. */
export const ServerHitPreview = z.object({
  from: Address.nullable(),
  subject: z.string(),
  date: z.string(),
  size: z.number().int().nonnegative(),
});
export type ServerHitPreview = z.infer<typeof ServerHitPreview>;

/** A hit already in the local store ('local'), or a UID the server found that is not stored yet ('server'). */
export const SearchHit = z.discriminatedUnion('source', [
  z.object({ source: z.literal('local'), message: MessageSummary }),
  z.object({
    source: z.literal('server'),
    mailboxId: Id,
    uid: z.number().int().positive(),
    /** What the list shows before the message is downloaded (from its ENVELOPE); absent when the server did not say. */
    preview: ServerHitPreview.optional(),
  }),
]);
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResults = z.object({
  hits: z.array(SearchHit),
  /** True when more matched than `limit`. */
  more: z.boolean(),
});
export type SearchResults = z.infer<typeof SearchResults>;
