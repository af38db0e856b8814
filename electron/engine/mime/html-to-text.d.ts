// Types for html-to-text 10 (a dependency of mailparser; it ships none). Only what mime/text.ts uses.
declare module 'html-to-text' {
  export interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export interface HtmlToTextOptions {
    wordwrap?: number | false | null;
    preserveNewlines?: boolean;
    decodeEntities?: boolean;
    selectors?: SelectorDefinition[];
    baseElements?: { selectors?: string[]; returnDomByDefault?: boolean };
    limits?: { maxInputLength?: number; maxDepth?: number; maxChildNodes?: number; ellipsis?: string };
  }
  export function compile(options?: HtmlToTextOptions): (html: string) => string;
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
