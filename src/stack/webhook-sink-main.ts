// Entry point of the webhook sink process started by the local stack.
import { createWebhookSink } from './webhook-sink.js';
import { loopback, ports } from './services.js';

const port = Number(process.argv[2] ?? ports.webhookSink);
createWebhookSink().listen(port, loopback, () => console.log(`webhook sink listening on http://${loopback}:${port}`));
