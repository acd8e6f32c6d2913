// A loopback HTTP server that answers every request with 200 at once: the target of the request-engine
// throughput benchmark (bench/ratelimit-throughput.js). It runs in a child process of its own so that its CPU
// time is not charged to the client being measured; it tells the parent its port over IPC and closes (so ends) when the
// parent disconnects.
import { createServer } from 'node:http';

const body = Buffer.from('ok\n');
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
});
