// A small XML reader that keeps the 1-based line and column of every element, attribute and text
// run, so SDF errors can point at the exact attribute. It accepts what the upstream tool's XML
// library (roxmltree 0.19 with its default options) accepts for SDF files: an optional XML
// declaration at the very start, comments, processing instructions, elements, attributes,
// character/entity references, CDATA and text; and, like it, refuses a DOCTYPE. Nesting is walked
// with an explicit stack, so a hostile file cannot overflow the JavaScript stack.

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface XmlAttribute {
  /** The local name (after any namespace prefix). */
  readonly name: string;
  readonly value: string;
  /** The namespace URI of a prefixed attribute; undefined for a plain one. */
  readonly namespace: string | undefined;
  readonly loc: Location;
}

export interface XmlText {
  readonly value: string;
  readonly loc: Location;
}

export interface XmlElement {
  /** The local name (after any namespace prefix, as roxmltree's tag_name().name()). */
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** Non-whitespace text directly inside the element (CDATA included), with where it starts. */
  readonly text: readonly XmlText[];
  readonly loc: Location;
}

export class XmlError extends Error {
  /** `syntax` is false when the input is not XML text at all (empty, binary), true for a malformed document. */
  constructor(readonly loc: Location, message: string, readonly syntax = true) {
    super(message);
  }
}

/**
 * Deepest element nesting read. A valid SDF needs about 70 levels (63 nested protection domains,
 * then virtual_machine and map); libxml2 uses the same default bound. roxmltree has none.
 */
export const MAX_XML_DEPTH = 256;

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_:.\u00B7\u00C0-\uFFFF]*/y;
/** Characters XML 1.0 forbids anywhere (section 2.2): C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Open {
  /** The name as written, which the end tag must repeat. */
  readonly qname: string;
  name: string;
  /** Namespace prefixes this element declares. */
  readonly prefixes: Map<string, string>;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  readonly text: XmlText[];
  readonly loc: Location;
}

export function parseXml(file: string, source: string): XmlElement {
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Location => ({ file, line, column: pos - lineStart + 1 });
  const locAt = (index: number): Location => {
    let l = 1;
    let start = 0;
    for (let i = source.indexOf("\n"); i >= 0 && i < index; i = source.indexOf("\n", i + 1)) {
      l++;
      start = i + 1;
    }
    return { file, line: l, column: index - start + 1 };
  };
  const fail = (message: string, loc: Location = here(), syntax = true): never => {
    throw new XmlError(loc, message, syntax);
  };

  const bad = NOT_XML_CHAR.exec(source);
  if (bad !== null) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    fail(`character U+${code} is not allowed in XML; is this a binary file rather than a system description?`, locAt(bad.index), false);
  }

  const advance = (to: number): void => {
    for (let i = pos; i < to; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = to;
  };
  const skipSpace = (): void => {
    let p = pos;
    for (let ch = source.charCodeAt(p); ch === 32 || ch === 9 || ch === 10 || ch === 13; ch = source.charCodeAt(++p));
    advance(p);
  };
  const name = (what: () => string): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (m === null) return fail(`expected ${what()}`);
    advance(NAME.lastIndex);
    return m[0];
  };
  /** Replaces references; `attribute` also turns literal tab/CR/LF into spaces (XML 1.0 section 3.3.3). */
  const decode = (raw: string, loc: Location, attribute: boolean): string => {
    const text = attribute ? raw.replace(/\r\n|[\t\r\n]/g, " ") : raw.replace(/\r\n?/g, "\n");
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][-A-Za-z0-9_.]*);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail("a bare '&' must be written &amp;", loc);
      if (ref.startsWith("#")) {
        const code = ref.startsWith("#x") ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        const ch = code <= 0x10ffff ? String.fromCodePoint(code) : "\u0000";
        if (NOT_XML_CHAR.test(ch) || (code >= 0xd800 && code <= 0xdfff)) return fail(`${whole} is not a character XML allows`, loc);
        return ch;
      }
      return ENTITIES[ref] ?? fail(`unknown entity ${whole} (only &lt; &gt; &amp; &quot; &apos; are defined)`, loc);
    });
  };
  const comment = (): void => {
    const start = here();
    const end = source.indexOf("-->", pos + 4);
    if (end < 0) fail("this comment is never closed with -->", start);
    const body = source.slice(pos + 4, end);
    if (body.includes("--") || body.endsWith("-")) fail("'--' is not allowed inside a comment", start);
    advance(end + 3);
  };
  const processingInstruction = (): void => {
    const start = here();
    if (source.startsWith("<?xml ", pos)) fail("the XML declaration <?xml ...?> may only appear at the very start of the file", start);
    const end = source.indexOf("?>", pos + 2);
    if (end < 0) fail("this <? ... processing instruction is never closed with ?>", start);
    advance(end + 2);
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<!--", pos)) comment();
      else if (source.startsWith("<?", pos)) processingInstruction();
      else return;
    }
  };

  // Prolog: byte order mark, declaration, comments; no DOCTYPE (roxmltree's allow_dtd is false).
  if (source.startsWith("\uFEFF")) advance(1);
  if (source.startsWith("<?xml ", pos)) {
    const decl = /<\?xml\s+version\s*=\s*("[^"]*"|'[^']*')(\s+encoding\s*=\s*("[^"]*"|'[^']*'))?(\s+standalone\s*=\s*("[^"]*"|'[^']*'))?\s*\?>/y;
    decl.lastIndex = pos;
    if (decl.exec(source) === null) fail("malformed XML declaration: expected <?xml version=\"1.0\" ...?>");
    advance(decl.lastIndex);
  }
  misc();
  if (source.startsWith("<!DOCTYPE", pos)) fail("a DOCTYPE declaration is not allowed in a system description");
  if (pos >= source.length) {
    if (source.trim() === "") fail("the file is empty: expected a <system> element", { file, line: 1, column: 1 }, false);
    fail("the file has no root element: expected a <system> element");
  }
  if (source[pos] !== "<") fail("expected the root element <system>");

  const stack: Open[] = [];
  let root: XmlElement | undefined;
  const close = (): void => {
    const open = stack.pop()!;
    const el: XmlElement = { name: open.name, attributes: open.attributes, children: open.children, text: open.text, loc: open.loc };
    if (stack.length === 0) root = el;
    else stack[stack.length - 1]!.children.push(el);
  };

  const startTag = (): void => {
    const loc = here();
    advance(pos + 1);
    const tag = name(() => "an element name after '<'");
    if (stack.length >= MAX_XML_DEPTH) fail(`elements are nested more than ${MAX_XML_DEPTH} deep`, loc);
    const open: Open = { qname: tag, name: tag, prefixes: new Map(), attributes: [], children: [], text: [], loc };
    const raw: { name: string; value: string; loc: Location }[] = [];
    for (;;) {
      const before = pos;
      skipSpace();
      const selfClosing = source.startsWith("/>", pos);
      if (selfClosing || source[pos] === ">") {
        advance(pos + (selfClosing ? 2 : 1));
        resolveNames(open, raw);
        stack.push(open);
        if (selfClosing) close();
        return;
      }
      if (pos >= source.length) fail(`<${tag}> (line ${loc.line}) is never closed`, loc);
      if (pos === before) fail(`expected whitespace, '>' or '/>' in <${tag}>`);
      const aloc = here();
      const aname = name(() => `an attribute name or the end of <${tag}>`);
      skipSpace();
      if (source[pos] !== "=") fail(`expected '=' after attribute ${aname}`);
      advance(pos + 1);
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${aname}`);
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail(`the value of attribute ${aname} is never closed`, aloc);
      const rawValue = source.slice(pos + 1, end);
      if (rawValue.includes("<")) fail(`'<' is not allowed in the value of attribute ${aname}; write &lt;`, aloc);
      if (raw.some((a) => a.name === aname)) fail(`attribute ${aname} appears twice in <${tag}>`, aloc);
      advance(end + 1);
      raw.push({ name: aname, value: decode(rawValue, aloc, true), loc: aloc });
    }
  };

  /** Namespace prefixes, as roxmltree resolves them: declarations are not attributes; names keep their local part. */
  const lookupPrefix = (open: Open, prefix: string, loc: Location): string => {
    if (prefix === "xml") return "http://www.w3.org/XML/1998/namespace";
    const uri = open.prefixes.get(prefix) ?? [...stack].reverse().find((o) => o.prefixes.has(prefix))?.prefixes.get(prefix);
    return uri ?? fail(`the namespace prefix '${prefix}' is not declared (xmlns:${prefix}="...")`, loc);
  };
  const resolveNames = (open: Open, raw: readonly { name: string; value: string; loc: Location }[]): void => {
    for (const a of raw) if (a.name.startsWith("xmlns:")) open.prefixes.set(a.name.slice(6), a.value);
    const colon = open.qname.indexOf(":");
    if (colon >= 0) {
      lookupPrefix(open, open.qname.slice(0, colon), open.loc);
      open.name = open.qname.slice(colon + 1);
    }
    for (const a of raw) {
      if (a.name === "xmlns" || a.name.startsWith("xmlns:")) continue;
      const c = a.name.indexOf(":");
      const namespace = c < 0 ? undefined : lookupPrefix(open, a.name.slice(0, c), a.loc);
      const local = c < 0 ? a.name : a.name.slice(c + 1);
      if (open.attributes.some((b) => b.name === local && b.namespace === namespace)) fail(`attribute ${a.name} appears twice in <${open.qname}>`, a.loc);
      open.attributes.push({ name: local, value: a.value, namespace, loc: a.loc });
    }
  };

  startTag();
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = source.indexOf("<", pos);
    if (next < 0) fail(`<${top.qname}> (line ${top.loc.line}) is never closed`, top.loc);
    const raw = source.slice(pos, next);
    if (raw.trim() !== "") {
      advance(pos + (raw.length - raw.trimStart().length));
      const loc = here();
      top.text.push({ value: decode(raw.trim(), loc, false), loc });
    }
    advance(next);
    if (source.startsWith("</", pos)) {
      const loc = here();
      advance(pos + 2);
      const closing = name(() => "a closing tag name after '</'");
      if (closing !== top.qname) fail(`</${closing}> does not match <${top.qname}> opened at ${top.loc.line}:${top.loc.column}`, loc);
      skipSpace();
      if (source[pos] !== ">") fail(`expected '>' to end </${closing}>`);
      advance(pos + 1);
      close();
    } else if (source.startsWith("<!--", pos)) {
      comment();
    } else if (source.startsWith("<![CDATA[", pos)) {
      const loc = here();
      const end = source.indexOf("]]>", pos + 9);
      if (end < 0) fail("this CDATA section is never closed with ]]>", loc);
      const body = source.slice(pos + 9, end);
      if (body.trim() !== "") top.text.push({ value: body.trim(), loc });
      advance(end + 3);
    } else if (source.startsWith("<?", pos)) {
      processingInstruction();
    } else if (source.startsWith("<!", pos)) {
      fail("unexpected '<!': only comments <!-- --> and CDATA sections may appear inside elements");
    } else {
      startTag();
    }
  }
  misc();
  if (pos < source.length) fail("unexpected content after the root element </" + root!.name + ">");
  return root!;
}
