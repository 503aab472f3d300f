import type { StsError } from './errors.js';

/** The XML namespace of every STS answer. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** A rendered answer: status, content type and body. */
export interface Rendered {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One field whose JSON and XML renderings differ (AssumeRole's `Expiration`: epoch seconds vs ISO). */
export class DualValue {
  constructor(
    readonly json: string | number,
    readonly xml: string,
  ) {}
}

/** A result tree: strings and numbers are leaves; `null` is rendered as JSON `null` and omitted in XML. */
export type ResultTree = { readonly [name: string]: ResultTree | string | number | null | DualValue };
type Tree = ResultTree;

/** Escapes element text (quotes need no escaping outside attributes, and STS leaves them as they are). */
function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

function toXml(tree: Tree, indent: string): string {
  let out = '';
  for (const [name, value] of Object.entries(tree)) {
    if (value === null) continue;
    if (value instanceof DualValue) out += `${indent}<${name}>${escapeXml(value.xml)}</${name}>\n`;
    else if (typeof value === 'object') out += `${indent}<${name}>\n${toXml(value, `${indent}  `)}${indent}</${name}>\n`;
    else out += `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
  }
  return out;
}

function toJsonValue(tree: Tree): unknown {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(tree)) {
    out[name] = value instanceof DualValue ? value.json : value !== null && typeof value === 'object' ? toJsonValue(value) : value;
  }
  return out;
}

/**
 * A successful `<Action>Response` with its `<Action>Result` and `ResponseMetadata.RequestId`, in the
 * shapes STS uses: XML in the STS namespace, or (for `Accept: application/json`) the same tree as JSON.
 */
export function renderResult(action: string, result: Tree, requestId: string, json: boolean): Rendered {
  if (json) {
    const body = {
      [`${action}Response`]: {
        [`${action}Result`]: toJsonValue(result),
        ResponseMetadata: { RequestId: requestId },
      },
    };
    return { status: 200, contentType: 'application/json', body: JSON.stringify(body) };
  }
  const body =
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>\n${toXml(result, '    ')}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${escapeXml(requestId)}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, contentType: 'text/xml', body };
}

/**
 * An STS error: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` in
 * XML, `{"Error":{"Code","Message","Type"},"RequestId"}` in JSON.
 */
export function renderError(error: StsError, requestId: string, json: boolean): Rendered {
  if (json) {
    const body = { Error: { Code: error.code, Message: error.message, Type: error.type }, RequestId: requestId };
    return { status: error.status, contentType: 'application/json', body: JSON.stringify(body) };
  }
  const body =
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>\n    <Type>${error.type}</Type>\n    <Code>${escapeXml(error.code)}</Code>\n` +
    `    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${escapeXml(requestId)}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return { status: error.status, contentType: 'text/xml', body };
}

/** Whether the caller asked for JSON (`Accept: application/json`), as core's verifier does. */
export function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes('application/json');
}
