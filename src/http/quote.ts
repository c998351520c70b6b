// What an error message quotes of the client's input is bounded: a 100 KB path or an 8 MB nested
// value must not come back whole in the error body (issue #12). Quoting walks the value only
// until the budget is spent, so a deeply nested value costs no more than a short one.

/** Characters of a client's value an error message shows at most, before '…'. */
export const QUOTE_LIMIT = 100;

/** `text`, cut to `limit` characters with '…' when longer. */
export function clip(text: string, limit = QUOTE_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** `value` as JSON, cut to about `limit` characters with '…'; never walks more of it than it shows. */
export function quoteJson(value: unknown, limit = QUOTE_LIMIT): string {
  let out = '';
  const full = () => out.length > limit;
  const write = (v: unknown): void => {
    if (full()) return;
    if (Array.isArray(v)) {
      out += '[';
      v.some((item, i) => {
        if (i > 0) out += ',';
        write(item);
        return full();
      });
      out += ']';
    } else if (typeof v === 'object' && v !== null) {
      out += '{';
      Object.entries(v).some(([key, item], i) => {
        out += `${i > 0 ? ',' : ''}${JSON.stringify(clip(key, limit))}:`;
        write(item);
        return full();
      });
      out += '}';
    } else {
      // Strings are cut before they are quoted: a 100 KB string is not copied whole. (undefined: 'undefined'.)
      out += typeof v === 'string' ? JSON.stringify(clip(v, limit)) : String(JSON.stringify(v));
    }
  };
  write(value);
  return clip(out, limit);
}
