import type { Browser } from 'puppeteer-core';

export declare const firefoxPath: string;
export declare const firefoxPrefs: Record<string, unknown>;
export declare function launchFirefox(prefs?: Record<string, unknown>): Promise<Browser>;
