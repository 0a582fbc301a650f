export declare const DESKTOP_CHROME_UA: string
export declare const CHROMIUM_ARGS: readonly string[]
export declare function chromiumPath(): string
