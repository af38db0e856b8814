/** "1 message", "3 messages": a count and its noun, for the engine's and the CLI's English sentences. */
export const counted = (n: number, noun: string, nouns = `${noun}s`): string => `${n} ${n === 1 ? noun : nouns}`;
