// Preload for spawned tapctl runs: any outbound socket or DNS lookup is recorded to $TAPCTL_NETWORK_LOG and fails,
// so a test can prove a command made no network call at all.
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import net from 'node:net';

const log = process.env.TAPCTL_NETWORK_LOG;
const record = (what) => {
  if (log) appendFileSync(log, `${what}\n`);
  throw new Error(`network access attempted: ${what}`);
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const target = typeof args[0] === 'object' ? JSON.stringify({ host: args[0].host, port: args[0].port, path: args[0].path }) : String(args[0]);
  // Local IPC pipes (no host) are not the network.
  if (typeof args[0] === 'object' && args[0].path && !args[0].host) return connect.apply(this, args);
  record(`connect ${target}`);
};
dns.lookup = (host) => record(`dns.lookup ${host}`);
dns.promises.lookup = async (host) => record(`dns.promises.lookup ${host}`);
