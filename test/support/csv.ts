/**
 * Reading back what the bot exports, the way a spreadsheet's importer does: a strict RFC 4180
 * reader (CRLF records, quoted fields with doubled quotes), so a test sees the cells as the creator
 * would, not as the writer meant them.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let value = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          value += text[i];
          i++;
        }
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n")
          throw new Error(`unquoted ${JSON.stringify(text[i])} at ${i}`);
        value += text[i++];
      }
    }
    fields.push(value);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      records.push(fields);
      fields = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (fields.length) throw new Error("last record without CRLF");
  return records;
}

/** The characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list). */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

/** True when a spreadsheet would evaluate this cell as a formula. */
export function startsLikeFormula(cell: string): boolean {
  return FORMULA_TRIGGERS.some((t) => cell.startsWith(t));
}

/** A neutralised cell read back as the text it stands for: the one leading quote added, removed. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") && startsLikeFormula(cell.slice(1)) ? cell.slice(1) : cell;
}
