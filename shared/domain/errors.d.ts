import { z } from 'zod';
/**
 * Every failure the engine reports has one of these codes and a message written for a person.
 * Exceptions' own details do not survive IPC, and stack traces never reach the user.
 */
export declare const ErrorCode: z.ZodEnum<{
    INVALID_INPUT: "INVALID_INPUT";
    AUTH_FAILED: "AUTH_FAILED";
    CONNECTION_REFUSED: "CONNECTION_REFUSED";
    HOST_NOT_FOUND: "HOST_NOT_FOUND";
    TIMEOUT: "TIMEOUT";
    NETWORK: "NETWORK";
    TLS_UNTRUSTED: "TLS_UNTRUSTED";
    TLS_FAILED: "TLS_FAILED";
    STARTTLS_UNAVAILABLE: "STARTTLS_UNAVAILABLE";
    SERVER_ERROR: "SERVER_ERROR";
    NOT_FOUND: "NOT_FOUND";
    ALREADY_EXISTS: "ALREADY_EXISTS";
    STORAGE: "STORAGE";
    INTERNAL: "INTERNAL";
}>;
export type ErrorCode = z.infer<typeof ErrorCode>;
export declare const ErrorInfo: z.ZodObject<{
    code: z.ZodEnum<{
        INVALID_INPUT: "INVALID_INPUT";
        AUTH_FAILED: "AUTH_FAILED";
        CONNECTION_REFUSED: "CONNECTION_REFUSED";
        HOST_NOT_FOUND: "HOST_NOT_FOUND";
        TIMEOUT: "TIMEOUT";
        NETWORK: "NETWORK";
        TLS_UNTRUSTED: "TLS_UNTRUSTED";
        TLS_FAILED: "TLS_FAILED";
        STARTTLS_UNAVAILABLE: "STARTTLS_UNAVAILABLE";
        SERVER_ERROR: "SERVER_ERROR";
        NOT_FOUND: "NOT_FOUND";
        ALREADY_EXISTS: "ALREADY_EXISTS";
        STORAGE: "STORAGE";
        INTERNAL: "INTERNAL";
    }>;
    message: z.ZodString;
    certificate: z.ZodOptional<z.ZodObject<{
        fingerprint256: z.ZodString;
        subject: z.ZodString;
        issuer: z.ZodString;
        validFrom: z.ZodString;
        validTo: z.ZodString;
        subjectAltName: z.ZodNullable<z.ZodString>;
        reason: z.ZodString;
    }, z.core.$strip>>;
    serverText: z.ZodOptional<z.ZodString>;
}, z.core.$strip>;
export type ErrorInfo = z.infer<typeof ErrorInfo>;
/** An error that carries an ErrorInfo across layers; the IPC boundary turns it into a Result. */
export declare class TegamiError extends Error {
    readonly info: ErrorInfo;
    constructor(info: ErrorInfo, options?: {
        cause?: unknown;
    });
    get code(): ErrorCode;
}
/** The envelope every request answers with. */
export type Result<T> = {
    ok: true;
    value: T;
} | {
    ok: false;
    error: ErrorInfo;
};
export declare const ok: <T>(value: T) => Result<T>;
export declare const fail: (error: ErrorInfo) => Result<never>;
