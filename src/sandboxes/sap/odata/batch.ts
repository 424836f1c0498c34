/**
 * OData v2 `$batch`: a `multipart/mixed` body whose parts are either one `application/http`
 * request (reads only) or a changeset (`multipart/mixed; boundary=changeset_…`) of writes that
 * succeed or fail together. The answer is `202 Accepted`, `multipart/mixed` with a
 * `batchresponse_` boundary: one `application/http` part per read, one changeset response per
 * changeset — or, when a changeset fails, a single error part in its place. Line ends are CRLF;
 * a body that is not well-formed is a 400.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../errors.ts';

/** One embedded request. */
export interface BatchRequest {
  method: string;
  /** Path relative to the service root, with query. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One embedded answer. */
export interface BatchAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A part of the batch: a read, or a changeset of writes. */
export type BatchPart = { kind: 'request'; request: BatchRequest } | { kind: 'changeset'; requests: BatchRequest[] };

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 412: 'Precondition Failed', 428: 'Precondition Required', 500: 'Internal Server Error' };

/** The boundary of a `multipart/mixed` content type. */
export function boundaryOf(contentType: string | undefined): string {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  if (match === null) throw badRequest('The batch request must have Content-Type multipart/mixed with a boundary');
  return match[2] as string;
}

/** Splits a multipart body into its parts (headers and content). */
function splitParts(body: string, boundary: string): Array<{ headers: Record<string, string>; content: string }> {
  const text = body.replace(/\r?\n/g, '\r\n');
  const delimiter = `--${boundary}`;
  const end = text.indexOf(`${delimiter}--`);
  if (!text.includes(delimiter) || end < 0) throw badRequest('The batch request body could not be understood due to malformed syntax');
  return text
    .slice(text.indexOf(delimiter) + delimiter.length, end)
    .split(`\r\n${delimiter}`)
    .map((chunk) => {
      const raw = chunk.replace(/^\r\n/, '');
      const split = raw.indexOf('\r\n\r\n');
      if (split < 0) throw badRequest('The batch request body could not be understood due to malformed syntax');
      return { headers: parseHeaders(raw.slice(0, split)), content: raw.slice(split + 4) };
    });
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parseRequest(content: string): BatchRequest {
  const split = content.indexOf('\r\n\r\n');
  const head = split < 0 ? content : content.slice(0, split);
  const [requestLine = '', ...headerLines] = head.split('\r\n');
  const match = /^(GET|POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP\/1\.1$/.exec(requestLine.trim());
  if (match === null) throw badRequest(`The batch request body could not be understood due to malformed syntax: '${requestLine}'`);
  return { method: match[1] as string, url: match[2] as string, headers: parseHeaders(headerLines.join('\r\n')), body: split < 0 ? '' : content.slice(split + 4).replace(/\r\n$/, '') };
}

/** Parses a batch body. */
export function parseBatch(body: string, contentType: string | undefined): BatchPart[] {
  return splitParts(body, boundaryOf(contentType)).map((part): BatchPart => {
    const type = part.headers['content-type'] ?? '';
    if (type.toLowerCase().startsWith('multipart/mixed')) {
      const requests = splitParts(part.content, boundaryOf(type)).map((p) => parseRequest(p.content));
      if (requests.some((r) => r.method === 'GET')) throw badRequest('A changeset must not contain a GET request');
      return { kind: 'changeset', requests };
    }
    const request = parseRequest(part.content);
    if (request.method !== 'GET') throw badRequest('Modifying requests must be inside a changeset');
    return { kind: 'request', request };
  });
}

function httpPart(answer: BatchAnswer): string {
  const headers = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}\r\n${headers}Content-Length: ${Buffer.byteLength(answer.body)}\r\n\r\n${answer.body}\r\n`;
}

/** Renders the batch answer; `answers[i]` is one answer for a read, a list for a changeset (one error answer when it failed). */
export function renderBatch(answers: Array<BatchAnswer | { changeset: BatchAnswer[] } | { failed: BatchAnswer }>): { contentType: string; body: string } {
  const boundary = `batchresponse_${randomUUID()}`;
  let body = '';
  for (const answer of answers) {
    body += `--${boundary}\r\n`;
    if ('changeset' in answer) {
      const inner = `changesetresponse_${randomUUID()}`;
      body += `Content-Type: multipart/mixed; boundary=${inner}\r\n\r\n`;
      for (const a of answer.changeset) body += `--${inner}\r\n${httpPart(a)}`;
      body += `--${inner}--\r\n`;
    } else {
      body += httpPart('failed' in answer ? answer.failed : answer);
    }
  }
  body += `--${boundary}--\r\n`;
  return { contentType: `multipart/mixed; boundary=${boundary}`, body };
}
