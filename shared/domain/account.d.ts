import { z } from 'zod';
/** Database ids are positive integers; the renderer only ever holds them, never server identities. */
export declare const Id: z.ZodNumber;
export type Id = z.infer<typeof Id>;
/**
 * How the IMAP connection is protected (RFC 8314): implicit TLS (port 993), STARTTLS required
 * (port 143; never silently skipped), or none (cleartext; only with an explicit user choice).
 */
export declare const Security: z.ZodEnum<{
    tls: "tls";
    starttls: "starttls";
    none: "none";
}>;
export type Security = z.infer<typeof Security>;
export declare const defaultPort: Record<Security, number>;
/** What the setup form sends: the password travels once, to the engine, and is never returned. */
export declare const AccountInput: z.ZodObject<{
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
export type AccountInput = z.infer<typeof AccountInput>;
export declare const Account: z.ZodObject<{
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
export type Account = z.infer<typeof Account>;
/** What a certificate the system does not trust looks like, so the user can decide. */
export declare const CertificateInfo: z.ZodObject<{
    fingerprint256: z.ZodString;
    subject: z.ZodString;
    issuer: z.ZodString;
    validFrom: z.ZodString;
    validTo: z.ZodString;
    subjectAltName: z.ZodNullable<z.ZodString>;
    reason: z.ZodString;
}, z.core.$strip>;
export type CertificateInfo = z.infer<typeof CertificateInfo>;
