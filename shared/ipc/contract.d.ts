import { z } from 'zod';
/**
 * The one source of truth for what the renderer may ask of the engine and what the engine tells
 * the renderer. Electron's preload, the browser-mode WebSocket bridge and the CLI all speak it; the
 * engine's service is a mapped type over `requests`, so a forgotten handler fails to compile, and
 * every input is parsed with its schema at the boundary (the renderer is an untrusted web page).
 */
export declare const requests: {
    readonly 'app.info': {
        readonly input: z.ZodObject<{}, z.core.$strip>;
        readonly output: z.ZodObject<{
            version: z.ZodString;
            host: z.ZodEnum<{
                electron: "electron";
                web: "web";
                cli: "cli";
            }>;
            platform: z.ZodString;
        }, z.core.$strip>;
    };
    readonly 'accounts.list': {
        readonly input: z.ZodObject<{}, z.core.$strip>;
        readonly output: z.ZodArray<z.ZodObject<{
            id: z.ZodNumber;
            name: z.ZodString;
            email: z.ZodString;
            user: z.ZodString;
            host: z.ZodString;
            port: z.ZodNumber;
            security: z.ZodEnum<{
                tls: "tls";
                starttls: "starttls";
                none: "none";
            }>;
            trustedCertificate: z.ZodNullable<z.ZodString>;
            createdAt: z.ZodString;
        }, z.core.$strip>>;
    };
    /** Tests the connection and the login first; nothing is stored when that fails. */
    readonly 'accounts.add': {
        readonly input: z.ZodObject<{
            name: z.ZodString;
            email: z.ZodString;
            user: z.ZodString;
            host: z.ZodString;
            port: z.ZodNumber;
            security: z.ZodEnum<{
                tls: "tls";
                starttls: "starttls";
                none: "none";
            }>;
            password: z.ZodString;
            trustCertificate: z.ZodOptional<z.ZodString>;
        }, z.core.$strip>;
        readonly output: z.ZodObject<{
            id: z.ZodNumber;
            name: z.ZodString;
            email: z.ZodString;
            user: z.ZodString;
            host: z.ZodString;
            port: z.ZodNumber;
            security: z.ZodEnum<{
                tls: "tls";
                starttls: "starttls";
                none: "none";
            }>;
            trustedCertificate: z.ZodNullable<z.ZodString>;
            createdAt: z.ZodString;
        }, z.core.$strip>;
    };
    readonly 'accounts.remove': {
        readonly input: z.ZodObject<{
            accountId: z.ZodNumber;
        }, z.core.$strip>;
        readonly output: z.ZodObject<{
            removed: z.ZodLiteral<true>;
        }, z.core.$strip>;
    };
    /** The folders as stored locally: answers offline at once. */
    readonly 'mailboxes.list': {
        readonly input: z.ZodObject<{
            accountId: z.ZodNumber;
        }, z.core.$strip>;
        readonly output: z.ZodObject<{
            mailboxes: z.ZodArray<z.ZodObject<{
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
            }, z.core.$strip>>;
            namespaces: z.ZodArray<z.ZodObject<{
                kind: z.ZodEnum<{
                    personal: "personal";
                    other: "other";
                    shared: "shared";
                }>;
                prefix: z.ZodString;
                delimiter: z.ZodNullable<z.ZodString>;
            }, z.core.$strip>>;
            refreshedAt: z.ZodNullable<z.ZodString>;
        }, z.core.$strip>;
    };
    /** Asks the server for the folder list (LIST, NAMESPACE, STATUS) and stores it. */
    readonly 'mailboxes.refresh': {
        readonly input: z.ZodObject<{
            accountId: z.ZodNumber;
        }, z.core.$strip>;
        readonly output: z.ZodObject<{
            mailboxes: z.ZodArray<z.ZodObject<{
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
            }, z.core.$strip>>;
            namespaces: z.ZodArray<z.ZodObject<{
                kind: z.ZodEnum<{
                    personal: "personal";
                    other: "other";
                    shared: "shared";
                }>;
                prefix: z.ZodString;
                delimiter: z.ZodNullable<z.ZodString>;
            }, z.core.$strip>>;
            refreshedAt: z.ZodNullable<z.ZodString>;
        }, z.core.$strip>;
    };
};
export declare const events: {
    readonly 'accounts.changed': z.ZodObject<{}, z.core.$strip>;
    readonly 'mailboxes.changed': z.ZodObject<{
        accountId: z.ZodNumber;
    }, z.core.$strip>;
    /** A server [ALERT] (RFC 3501 7.1): the user must see it. */
    readonly 'server.alert': z.ZodObject<{
        accountId: z.ZodNumber;
        message: z.ZodString;
    }, z.core.$strip>;
};
export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type RequestInput<N extends RequestName> = z.input<(typeof requests)[N]['input']>;
export type ParsedInput<N extends RequestName> = z.output<(typeof requests)[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<(typeof requests)[N]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export declare const requestNames: RequestName[];
export declare const eventNames: EventName[];
export declare function isRequestName(name: unknown): name is RequestName;
export declare function isEventName(name: unknown): name is EventName;
