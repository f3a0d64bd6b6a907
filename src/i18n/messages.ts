/**
 * How a message table is declared. English is the reference: a message is a fixed text, or a
 * function of its parameters, typed there (`(p: { tier: string; days: number }) => string`). Every
 * other language `satisfies Translation<typeof english>`: same keys, and for each key a text or a
 * function taking the same parameters, so a missing key, an extra one, or a parameter English does
 * not have fails to compile.
 */

/** A message: a fixed text, or the text made from its parameters. */
export type Message = string | ((params: never) => string);

/** The English table of an area (the reference the other languages follow). */
export type Messages = Record<string, Message>;

/** Another language's table for the English table `E`. */
export type Translation<E extends Messages> = {
  [K in keyof E]: E[K] extends (params: infer P) => string ? (params: P) => string : string;
};

/** The parameters of message `M` (undefined for a fixed text). */
export type ParamsOfMessage<M> = [M] extends [(params: infer P) => string] ? P : undefined;

/** The rest arguments a lookup takes for message `M`: none for a fixed text, its parameters otherwise. */
export type ParamsArg<M> = [M] extends [string]
  ? []
  : [M] extends [(params: infer P) => string]
    ? [params: P]
    : [params: never];
