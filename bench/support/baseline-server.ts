/**
 * The pipeline benchmark's baseline: a minimal hand-written Node server doing the same job with
 * no engine — each webhook is inserted durably on its own (one SQLite commit per event, WAL,
 * synchronous=FULL, like Interlock), answered 202, then forwarded to the sink. No retries, no
 * ordering, no dedupe: the cost of doing it by hand.
 * Run as a child process: `node baseline-server.ts <port> <sqlite file> <sink url>`.
 */
import { createServer } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { Agent, request } from 'undici';

const [port, file, sinkUrl] = process.argv.slice(2) as [string, string, string];
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
db.exec('CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, event_id TEXT, body TEXT, delivered INTEGER DEFAULT 0)');
const insert = db.prepare('INSERT INTO events (event_id, body) VALUES (?, ?)');
const agent = new Agent({ connections: 128 });

createServer((req, res) => {
  if (req.method === 'GET') return void res.end('ok');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const event = JSON.parse(body) as { id: string };
    insert.run(event.id, body);
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
    void request(sinkUrl, { method: 'POST', body, dispatcher: agent, headers: { 'content-type': 'application/json', 'idempotency-key': event.id, 'x-interlock-event-id': event.id } })
      .then((r) => r.body.dump())
      .catch(() => undefined);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
