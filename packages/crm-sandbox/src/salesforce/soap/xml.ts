/**
 * Just enough XML for SOAP envelopes: elements, attributes, text, CDATA, the five named
 * entities and character references. Document type declarations are refused outright, so
 * no entity expansion (and no XXE) is possible. Names keep their prefix in `name`; SOAP
 * code matches on `local`, since clients choose their own prefixes.
 */

export interface XmlElement {
  name: string;
  local: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), concatenated. */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_RE = /[A-Za-z_][\w.:-]*/y;

function decode(text: string, at: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError(`Unescaped '&' near offset ${at}`);
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new XmlError(`Unknown entity ${whole} near offset ${at}`);
    return named;
  });
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const readName = (): string => {
    NAME_RE.lastIndex = pos;
    const m = NAME_RE.exec(source);
    if (!m) throw new XmlError(`Expected a name at offset ${pos}`);
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source.charAt(pos))) pos++;
  };
  const skipPast = (marker: string, what: string) => {
    const end = source.indexOf(marker, pos);
    if (end < 0) throw new XmlError(`Unterminated ${what} at offset ${pos}`);
    pos = end + marker.length;
  };

  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > pos) {
      const text = source.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(text, pos);
      else if (text.trim() !== '') throw new XmlError(`Text outside the root element at offset ${pos}`);
      pos = textEnd;
      continue;
    }
    if (source.startsWith('<?', pos)) {
      skipPast('?>', 'processing instruction');
    } else if (source.startsWith('<!--', pos)) {
      skipPast('-->', 'comment');
    } else if (source.startsWith('<![CDATA[', pos)) {
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      const top = stack[stack.length - 1];
      if (!top) throw new XmlError(`CDATA outside the root element at offset ${start}`);
      top.text += source.slice(start, pos - 3);
    } else if (source.startsWith('<!', pos)) {
      throw new XmlError('Document type declarations are not allowed');
    } else if (source.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (source.charAt(pos) !== '>') throw new XmlError(`Expected '>' at offset ${pos}`);
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name)
        throw new XmlError(`Closing tag </${name}> does not match <${open?.name ?? ''}>`);
    } else {
      pos++;
      const name = readName();
      const element: XmlElement = { name, local: localName(name), attributes: {}, children: [], text: '' };
      for (;;) {
        skipSpace();
        const ch = source.charAt(pos);
        if (ch === '>' || ch === '/') break;
        if (pos >= source.length) throw new XmlError(`Unterminated tag <${name}>`);
        const attribute = readName();
        skipSpace();
        if (source.charAt(pos) !== '=') throw new XmlError(`Expected '=' after ${attribute} at offset ${pos}`);
        pos++;
        skipSpace();
        const quote = source.charAt(pos);
        if (quote !== '"' && quote !== "'")
          throw new XmlError(`Expected a quoted value for ${attribute} at offset ${pos}`);
        const end = source.indexOf(quote, pos + 1);
        if (end < 0) throw new XmlError(`Unterminated value of ${attribute}`);
        element.attributes[attribute] = decode(source.slice(pos + 1, end), pos);
        pos = end + 1;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlError('More than one root element');
      else root = element;
      if (source.charAt(pos) === '/') {
        if (source.charAt(pos + 1) !== '>') throw new XmlError(`Expected '/>' at offset ${pos}`);
        pos += 2;
      } else {
        pos++;
        stack.push(element);
      }
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw new XmlError(`Element <${unclosed.name}> is not closed`);
  if (!root) throw new XmlError('The document has no root element');
  return root;
}

export function childNamed(element: XmlElement | undefined, local: string): XmlElement | undefined {
  return element?.children.find((c) => c.local === local);
}

export function childrenNamed(element: XmlElement | undefined, local: string): XmlElement[] {
  return element ? element.children.filter((c) => c.local === local) : [];
}

/** `xsi:nil="true"`, whatever prefix the client bound to the schema-instance namespace. */
export function isNil(element: XmlElement): boolean {
  return Object.entries(element.attributes).some(([k, v]) => localName(k) === 'nil' && v === 'true');
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
