import { z } from 'zod';

/** Database ids are positive integers; the renderer only ever holds them, never server identities. */
export const Id = z.number().int().positive();
export type Id = z.infer<typeof Id>;

/**
 * How the IMAP connection is protected (RFC 8314): implicit TLS (port 993), STARTTLS required
 * (port 143; never silently skipped), or none (cleartext; only with an explicit user choice).
 */
export const Security = z.enum(['tls', 'starttls', 'none']);
export type Security = z.infer<typeof Security>;

export const defaultPort: Record<Security, number> = { tls: 993, starttls: 143, none: 143 };

const hostname = z
  .string()
  .trim()
  .min(1, 'Enter the server name')
  .max(253)
  .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'The server name may only hold letters, digits, dots, dashes and colons');

/** What the setup form sends: the password travels once, to the engine, and is never returned. */
export const AccountInput = z.object({
  name: z.string().trim().min(1, 'Enter a name for the account').max(200),
  email: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/, 'Enter an email address like name@example.com'),
  user: z.string().min(1, 'Enter the user name').max(320),
  host: hostname,
  port: z.number().int().min(1).max(65535),
  security: Security,
  password: z.string().min(1, 'Enter the password').max(4096),
  /**
   * SHA-256 fingerprint (as shown to the user) of a certificate the system does not trust and the
   * user chose to trust for this account. The engine fetches the certificate again and accepts it
   * only when it still has exactly this fingerprint.
   */
  trustCertificate: z
    .string()
    .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    .optional(),
});
export type AccountInput = z.infer<typeof AccountInput>;

/**
 * QUOTA (RFC 9208) of the quota root that holds the account's INBOX, as the server last reported it
 * during a sync pass. A resource the server does not report is null; so is a limit it did not send.
 */
export const Quota = z.object({
  /** The quota root's name (e.g. "User quota"), or null when the server named none. */
  root: z.string().nullable(),
  /** STORAGE, in KiB (1024 octets) as on the wire. */
  storage: z.object({ usedKb: z.number().nonnegative(), limitKb: z.number().nonnegative().nullable() }).nullable(),
  /** MESSAGE: number of messages. */
  messages: z.object({ used: z.number().int().nonnegative(), limit: z.number().int().nonnegative().nullable() }).nullable(),
  /** When it was reported (ISO 8601). */
  at: z.string(),
});
export type Quota = z.infer<typeof Quota>;

/**
 * How much of an account's mail is kept on this computer for offline reading (DESIGN.md 4.4): the
 * last N days (90 unless set), or all of it. Small mail in it is kept whole, larger mail its text.
 */
export const DEFAULT_OFFLINE_DAYS = 90;
export const OfflineWindow = z.union([z.number().int().min(1).max(36_500), z.literal('all')]);
export type OfflineWindow = z.infer<typeof OfflineWindow>;

/**
 * Which mail of the offline window is downloaded whole, attachments and all (bytes, RFC822.SIZE):
 * messages smaller than this. Of larger ones only the text is kept; their attachments are fetched
 * when opened. 128 KB unless set (every small message: they cost little more than their text), at
 * most 96 MB (what a part is cut from in memory).
 */
export const DEFAULT_WHOLE_BELOW = 128 * 1024;
export const MAX_WHOLE_BELOW = 96 * 1024 * 1024;
export const WholeBelow = z.number().int().min(DEFAULT_WHOLE_BELOW).max(MAX_WHOLE_BELOW);
export type WholeBelow = z.infer<typeof WholeBelow>;

/** A size limit as a person writes it: "128 KB", "10 MB" (whole units), else bytes. */
export const sizeLimitText = (bytes: number): string =>
  bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} B`;

export const Account = z.object({
  id: Id,
  name: z.string(),
  email: z.string(),
  user: z.string(),
  host: z.string(),
  port: z.number().int(),
  security: Security,
  /** Fingerprint of the pinned certificate, when the user trusted one the system does not. */
  trustedCertificate: z.string().nullable(),
  createdAt: z.string(),
  /** Null until a sync pass got an answer from a server that has QUOTA. */
  quota: Quota.nullable(),
  offlineWindow: OfflineWindow,
  /** Messages of the offline window smaller than this (bytes) are kept whole, attachments and all. */
  wholeBelow: WholeBelow,
});
export type Account = z.infer<typeof Account>;

/** What a certificate the system does not trust looks like, so the user can decide. */
export const CertificateInfo = z.object({
  fingerprint256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  subjectAltName: z.string().nullable(),
  /** Why the system refused it, e.g. "self-signed certificate". */
  reason: z.string(),
  /** The verification error behind `reason` (Node's code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT), for a UI that words it itself. */
  reasonCode: z.string().nullable().optional(),
});
export type CertificateInfo = z.infer<typeof CertificateInfo>;
