// Every test file sees the sandbox secrets in its environment, as the worker does.
import { loadStackSecretsIntoEnv } from '../../src/stack/secrets.js';

loadStackSecretsIntoEnv();
// Every integration refuses endpoints that are not on this machine (src/integrations/loopback.ts).
process.env.ACODE_GUARDIAN_LOOPBACK_ONLY = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
