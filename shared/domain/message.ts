import { z } from 'zod';
import { Id } from './account.js';

export const Address = z.object({ name: z.string(), address: z.string() });
export type Address = z.infer<typeof Address>;

/** IMAP system flags (RFC 3501 2.3.2); anything else a message carries is a keyword. */
export const systemFlags = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
/** A flag or keyword as IMAP spells it: `\Seen`, `$Forwarded`, `Work`. \Recent is never ours to set. */
export const Flag = z
  .string()
  .min(1)
  .max(200)
  // RFC 3501 9: flag-keyword = atom; atom-specials are ( ) { SP CTL % * " \ ]
  // eslint-disable-next-line no-control-regex
  .regex(/^\\?[^\s()\]{%*"\\\x00-\x1f\x7f]+$/, 'not a valid IMAP flag or keyword');
export type Flag = z.infer<typeof Flag>;

export const AttachmentSummary = z.object({
  part: z.string(),
  filename: z.string().nullable(),
  contentType: z.string(),
  size: z.number().int().nullable(),
  inline: z.boolean(),
  contentId: z.string().nullable(),
});
export type AttachmentSummary = z.infer<typeof AttachmentSummary>;

/** A message as the list shows it. */
export const MessageSummary = z.object({
  id: Id,
  mailboxId: Id,
  uid: z.number().int(),
  uidvalidity: z.number().int(),
  flags: z.array(z.string()),
  seen: z.boolean(),
  flagged: z.boolean(),
  answered: z.boolean(),
  draft: z.boolean(),
  subject: z.string(),
  from: Address.nullable(),
  /** INTERNALDATE (ISO 8601): when the server received it. */
  date: z.string(),
  /** The Date header (ISO 8601), when it parsed. */
  sentDate: z.string().nullable(),
  size: z.number().int(),
  messageId: z.string().nullable(),
  threadId: z.number().int().nullable(),
  hasAttachments: z.boolean(),
  snippet: z.string().nullable(),
});
export type MessageSummary = z.infer<typeof MessageSummary>;

/**
 * How a folder's list is sorted: `date` by when each message arrived (INTERNALDATE), `sent` by the
 * date its sender put on it (the Date header; when it arrived, for one without a usable Date).
 */
export const MessageSort = z.enum(['date', 'sent', 'from', 'subject', 'size']);
export type MessageSort = z.infer<typeof MessageSort>;
