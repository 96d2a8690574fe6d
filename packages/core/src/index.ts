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
export { redactKey, redactUrl } from "./redact.js";
export {
  AppNotFoundError,
  ConflictingCredentialsError,
  DuplicateKeyIdError,
  GenerationConflictError,
  HashingFailedError,
  InvalidKeyError,
  KeyInQueryError,
  MalformedAuthorizationError,
  InternalError,
  MalformedKeyError,
  MalformedPathError,
  McpgateError,
  MissingCredentialsError,
  OverloadedError,
  RateLimitedError,
  StoreInsecureError,
  StoreLockedError,
  StoreUnavailableError,
  ToolNotAllowedError,
  isMcpgateError,
  type AnyMcpgateError,
  type MalformedAuthorizationReason,
  type MalformedKeyReason,
  type McpgateErrorCode,
} from "./errors.js";
export {
  createChallenger,
  toChallenge,
  toJsonRpcErrorBody,
  type JsonRpcChallengeBody,
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
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export {
  createGate,
  isGate,
  type AppPage,
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
