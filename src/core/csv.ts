/**
 * CSV as the creator opens it: in a spreadsheet. Text a fan wrote (an idea title becomes a poll
 * option, then a cell) must never run there as a formula: Excel, LibreOffice and Google Sheets read
 * a cell starting with = + - @ (or a tab or carriage return before one) as a formula, and
 * =HYPERLINK("http://evil",…) or =cmd|… turn a ballot export into a phishing link or worse.
 */

/** The first characters that make a spreadsheet read a cell as a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: a value starting like a formula gets a leading single quote (OWASP's advice: the
 * spreadsheet then shows it as text, and the quote is the only change), then RFC 4180 quoting: a
 * field holding a comma, a quote, CR or LF is quoted and its quotes doubled.
 */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CRLF-terminated CSV record. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvCell).join(",")}\r\n`;
}
