import { z } from 'zod';
/** Special-use roles (RFC 6154), plus INBOX which is special by RFC 3501 itself. */
export declare const MailboxRole: z.ZodEnum<{
    inbox: "inbox";
    drafts: "drafts";
    sent: "sent";
    archive: "archive";
    junk: "junk";
    trash: "trash";
    all: "all";
    flagged: "flagged";
    important: "important";
}>;
export type MailboxRole = z.infer<typeof MailboxRole>;
/** The display order of roles: INBOX first, then the special-use folders, then the rest by name. */
export declare const roleOrder: readonly MailboxRole[];
/** RFC 2342 namespaces: the user's own folders, other users' folders, shared (public) folders. */
export declare const NamespaceKind: z.ZodEnum<{
    personal: "personal";
    other: "other";
    shared: "shared";
}>;
export type NamespaceKind = z.infer<typeof NamespaceKind>;
export declare const Mailbox: z.ZodObject<{
    id: z.ZodNumber;
    accountId: z.ZodNumber;
    path: z.ZodString;
    name: z.ZodString;
    parentPath: z.ZodNullable<z.ZodString>;
    delimiter: z.ZodNullable<z.ZodString>;
    role: z.ZodNullable<z.ZodEnum<{
        inbox: "inbox";
        drafts: "drafts";
        sent: "sent";
        archive: "archive";
        junk: "junk";
        trash: "trash";
        all: "all";
        flagged: "flagged";
        important: "important";
    }>>;
    namespace: z.ZodEnum<{
        personal: "personal";
        other: "other";
        shared: "shared";
    }>;
    subscribed: z.ZodBoolean;
    selectable: z.ZodBoolean;
    attributes: z.ZodArray<z.ZodString>;
    total: z.ZodNullable<z.ZodNumber>;
    unread: z.ZodNullable<z.ZodNumber>;
}, z.core.$strip>;
export type Mailbox = z.infer<typeof Mailbox>;
/** A NAMESPACE entry (RFC 2342): where the folders of one kind start, and their delimiter. */
export declare const Namespace: z.ZodObject<{
    kind: z.ZodEnum<{
        personal: "personal";
        other: "other";
        shared: "shared";
    }>;
    prefix: z.ZodString;
    delimiter: z.ZodNullable<z.ZodString>;
}, z.core.$strip>;
export type Namespace = z.infer<typeof Namespace>;
