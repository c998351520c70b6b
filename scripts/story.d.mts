export declare const STORY_PIECES: Array<string | number[]>;
export declare const STORY_TEXT: string;
