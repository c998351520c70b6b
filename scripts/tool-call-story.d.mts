export declare const TOOL_CALL_PIECES: string[];
export declare const TOOL_CALL_TEXT: string;
