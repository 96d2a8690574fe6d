export {
  KEY_ID_LENGTH,
  KEY_LENGTH,
  KEY_PATTERN,
  KEY_PREFIX,
  KEY_SECRET_LENGTH,
  formatKeyId,
  generateKey,
  isKey,
  parseKey,
  type ParsedKey,
} from "./key-format.js";
export {
  createKeyHasher,
  hashKey,
  needsRehash,
  verifyKeyHash,
  type HashingOptions,
  type KeyHasher,
} from "./hashing.js";
export {
  containsKey,
  redactFields,
  redactHeaders,
  redactKey,
  redactRequest,
  redactUrl,
  type RedactableHeaders,
  type RedactableRequest,
} from "./redact.js";
export {
  AppNotFoundError,
  ClosedError,
  ConflictingCredentialsError,
  CorruptRecordError,
  DuplicateKeyIdError,
  GenerationConflictError,
  HashingFailedError,
  InvalidKeyError,
  KeyExpiredError,
  KeyInQueryError,
  MalformedAuthorizationError,
  InternalError,
  InvalidSignatureError,
  MalformedKeyError,
  MalformedPayloadError,
  MalformedPathError,
  McpgateError,
  MissingCredentialsError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitedError,
  StoreInsecureError,
  StoreLockedError,
  SigningKeysUnavailableError,
  StoreUnavailableError,
  ToolNotAllowedError,
  isMcpgateError,
  type AnyMcpgateError,
  type InvalidSignatureReason,
  type MalformedAuthorizationReason,
  type MalformedKeyReason,
  type McpgateErrorCode,
  type MissingCredentialsReason,
  type OverloadedReason,
  type StoreUnavailableReason,
} from "./errors.js";
export {
  createChallenger,
  toChallenge,
  toJsonRpcErrorBody,
  serializeChallenge,
  CHALLENGE_CONTENT_TYPE,
  type JsonRpcChallengeBody,
  type SerializedChallenge,
  type Challenge,
  type ChallengeBody,
  type ChallengeOptions,
  type Challenger,
} from "./challenge.js";
export {
  createCredentialExtractor,
  createUrlCleaner,
  extractCredential,
  type Credential,
  type CredentialExtractor,
  type ExtractionOptions,
  type HeaderValues,
  type RequestLike,
} from "./credential.js";
export {
  isPromptAllowed,
  isResourceAllowed,
  isToolAllowed,
  withPolicyDefaults,
  type App,
  type AppMetadata,
  type AppPatch,
  type AppPolicy,
  type AppRecord,
  type CreateAppInput,
  type RateLimit,
  type UpdateAppInput,
} from "./app.js";
export type { KeyReplacement, ListQuery, Store, StoreEvent } from "./store.js";
export type { KeyExpiryOptions } from "./key-expiry.js";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export {
  createMemoryRateLimiter,
  isRateLimiter,
  type MemoryRateLimiterOptions,
  type RateLimitedApp,
  type RateLimiter,
} from "./rate-limit.js";
export {
  authenticateRequestFast,
  createGate,
  isGate,
  telemetryOf,
  type AppPage,
  type AcceptedCredential,
  type AuthResult,
  type Gate,
  type ListAppsQuery,
  type GateOptions,
  type IssuedKey,
} from "./gate.js";
export { toAuthInfo, type McpgateAuthInfo } from "./auth-info.js";
export { authenticateFetchRequest, challengeResponse, type FetchAuthResult } from "./fetch.js";
export { zodFieldError } from "./options.js";
export {
  clientSnippets,
  type ClientSnippet,
  type ClientSnippetInput,
  type ClientSnippets,
} from "./snippets.js";
export {
  EVENT_SCHEMA_VERSION,
  makeEvent,
  type AuthFailedEvent,
  type AuthSucceededEvent,
  type EventBase,
  type EventInput,
  type KeyCreatedEvent,
  type KeyDeletedEvent,
  type KeyRegeneratedEvent,
  type KeySource,
  type LeakLocation,
  type LeakReportedEvent,
  type LeakRevokedEvent,
  type McpgateEvent,
  type McpgateEventOf,
  type McpgateEventType,
  type OverloadedEvent,
  type PolicyChangedEvent,
  type RateLimitedEvent,
  type RegenerationCause,
  type RequestContext,
  type SessionCloseCause,
  type SessionClosedEvent,
  type SessionOpenedEvent,
  type ToolCalledEvent,
  type ToolRefusedEvent,
} from "./events.js";
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type EventListener,
} from "./event-bus.js";
export {
  createLeakReceiver,
  type LeakAction,
  type LeakNotice,
  type LeakReceiverOptions,
} from "./leak/receiver.js";
export { GITHUB_SECRET_SCANNING_KEYS_URL } from "./leak/signing-keys.js";
export { tokenHash, type LeakLabel, type LeakMatch, type LeakVerdict } from "./leak/payload.js";
export type {
  ClientAddressOption,
  GateTelemetry,
  TelemetryPrincipal,
  ToolCallOutcome,
} from "./telemetry.js";
export {
  createRedactingSpanProcessor,
  redactSpanAttributes,
  type RedactableSpan,
  type RedactingSpanProcessor,
} from "./otel.js";
