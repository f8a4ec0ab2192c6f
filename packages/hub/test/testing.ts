// @pilothouse/hub/testing: the hub's test support for other test suites (e2e/, bench/), never for
// runtime code: the real hub as a child process, the phoenix client in Node, the preview world.
export { connect, join, push, settle, PushError } from './phx.js';
export { cleanupDir, HubCycler, seed, seedStore, startHubProcess, type HubProcess } from './hub-process.js';
export { PG_URL } from './stores.js';
export { previewId, startRunner as startFakeRunner, startWorld, type FakeRunner, type World } from './preview-world.js';
export { startDevServer, type DevServer } from './dev-server.js';
export { startFakePushService, type Answered, type FakePushService, type FakeSubscription, type Received as PushReceived } from './fake-push-service.js';
export { startWebhookReceiver, type Received as WebhookReceived, type WebhookReceiver } from './webhook-receiver.js';
export { startSmtpSink, type Mail, type SmtpSink } from './smtp-sink.js';
