// Every test file sees the sandbox secrets in its environment, as the worker does.
import { loadStackSecretsIntoEnv } from '../../src/stack/secrets.js';

loadStackSecretsIntoEnv();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
