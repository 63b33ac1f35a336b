// The {{project}} sample service: a stand-in for your application, so that the first deploy has something
// healthy to run. Node's standard library only: nothing to install, nothing to audit.
//
// Keep GET /health answering 200 when you replace it: the load balancer's target group and the ECS container
// health check both probe it, and a failing probe makes ECS replace the task.
import { createServer } from 'node:http';

// The task definition sets PORT; the fallback is the port tapctl.config.yaml was scaffolded with.
const port = Number(process.env.PORT || '{{port}}');
let stopping = false;

const routes = {
  '/health': () => ({ status: 'ok' }),
  '/api/hello': () => ({ message: 'hello from {{project}}', time: new Date().toISOString() }),
};

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const route = req.method === 'GET' || req.method === 'HEAD' ? routes[pathname] : undefined;
  const status = route ? 200 : 404;
  const body = JSON.stringify(route ? route() : { error: 'not found', path: pathname });
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  // While stopping, tell keep-alive clients (the load balancer) to reconnect, which lands them on another task.
  if (stopping) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
});

// ECS stops a task with SIGTERM and sends SIGKILL after the stop timeout (30 s by default): finish the requests
// in flight, accept no new ones, and leave before the deadline.
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log({ msg: 'stopping', signal });
  server.close(() => log({ msg: 'stopped' }));
  server.closeIdleConnections();
  setTimeout(() => {
    log({ msg: 'requests still open at the deadline; exiting anyway' });
    process.exit(1);
  }, 25_000).unref();
}

// One JSON object per line: CloudWatch Logs Insights can query the fields.
function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
server.listen(port, () => log({ msg: 'listening', port: server.address().port }));
