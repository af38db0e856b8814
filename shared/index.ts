export * from './domain/account.js';
export * from './domain/mailbox.js';
export * from './domain/message.js';
export * from './domain/errors.js';
export * from './ipc/contract.js';
export * from './ipc/bridge.js';
export * from './domain/body.js';
export * from './domain/ops.js';
