// A small XML reader that keeps the 1-based line and column of every element, attribute and text
// run, so SDF errors can point at the exact attribute. It reads the subset SDF files use: an XML
// declaration, comments, elements, attributes, character/entity references and text.

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
  readonly loc: Location;
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** Non-whitespace text directly inside the element, with where it starts. */
  readonly text: readonly { readonly value: string; readonly loc: Location }[];
  readonly loc: Location;
}

export class XmlError extends Error {
  constructor(readonly loc: Location, message: string) {
    super(message);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

export function parseXml(file: string, source: string): XmlElement {
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Location => ({ file, line, column: pos - lineStart + 1 });
  const fail = (message: string, loc: Location = here()): never => {
    throw new XmlError(loc, message);
  };
  const advance = (to: number): void => {
    for (; pos < to; pos++) {
      if (source.charCodeAt(pos) === 10) {
        line++;
        lineStart = pos + 1;
      }
    }
  };
  const skipSpace = (): void => {
    const m = /\s*/y;
    m.lastIndex = pos;
    m.exec(source);
    advance(m.lastIndex);
  };
  const name = (what: string): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (m === null) fail(`expected ${what}`);
    advance(NAME.lastIndex);
    return m![0];
  };
  const decode = (raw: string, loc: Location): string =>
    raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail("a bare '&' must be written &amp;", loc);
      if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? fail(`unknown entity ${whole}`, loc);
    });
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<!--", pos)) {
        const end = source.indexOf("-->", pos + 4);
        if (end < 0) fail("unterminated comment");
        advance(end + 3);
      } else if (source.startsWith("<?", pos)) {
        const end = source.indexOf("?>", pos + 2);
        if (end < 0) fail("unterminated <? ... ?> declaration");
        advance(end + 2);
      } else if (source.startsWith("<!DOCTYPE", pos)) {
        const end = source.indexOf(">", pos);
        if (end < 0) fail("unterminated DOCTYPE");
        advance(end + 1);
      } else {
        return;
      }
    }
  };

  const element = (): XmlElement => {
    const loc = here();
    if (source[pos] !== "<") fail("expected an element");
    advance(pos + 1);
    const tag = name("an element name");
    const attributes: XmlAttribute[] = [];
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith("/>", pos)) {
        advance(pos + 2);
        return { name: tag, attributes, children: [], text: [], loc };
      }
      if (source[pos] === ">") {
        advance(pos + 1);
        break;
      }
      if (pos === before) fail(`expected whitespace, '>' or '/>' in <${tag}>`);
      const aloc = here();
      const aname = name(`an attribute name or the end of <${tag}>`);
      skipSpace();
      if (source[pos] !== "=") fail(`expected '=' after attribute ${aname}`);
      advance(pos + 1);
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${aname}`);
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail(`unterminated value of attribute ${aname}`);
      const raw = source.slice(pos + 1, end);
      if (raw.includes("<")) fail(`'<' in the value of attribute ${aname}`);
      if (attributes.some((a) => a.name === aname)) fail(`attribute ${aname} appears twice in <${tag}>`, aloc);
      advance(end + 1);
      attributes.push({ name: aname, value: decode(raw, aloc), loc: aloc });
    }
    const children: XmlElement[] = [];
    const text: { value: string; loc: Location }[] = [];
    for (;;) {
      const next = source.indexOf("<", pos);
      if (next < 0) fail(`<${tag}> (line ${loc.line}) is never closed`);
      const raw = source.slice(pos, next);
      if (raw.trim() !== "") {
        const lead = raw.length - raw.trimStart().length;
        advance(pos + lead);
        text.push({ value: decode(raw.trim(), here()), loc: here() });
      }
      advance(next);
      if (source.startsWith("</", pos)) {
        advance(pos + 2);
        const closing = name("a closing tag name");
        if (closing !== tag) fail(`</${closing}> closes <${tag}> opened at line ${loc.line}`);
        skipSpace();
        if (source[pos] !== ">") fail(`expected '>' to end </${closing}>`);
        advance(pos + 1);
        return { name: tag, attributes, children, text, loc };
      }
      if (source.startsWith("<!--", pos)) {
        const end = source.indexOf("-->", pos + 4);
        if (end < 0) fail("unterminated comment");
        advance(end + 3);
        continue;
      }
      children.push(element());
    }
  };

  skipMisc();
  if (pos >= source.length) fail("the file has no root element");
  const root = element();
  skipMisc();
  if (pos < source.length) fail("unexpected content after the root element");
  return root;
}
