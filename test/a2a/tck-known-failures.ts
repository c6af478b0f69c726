/**
 * The TCK requirements our server fails today, per binding ("ID [BINDING]" -> the cause found),
 * asserted by test/a2a/tck-server.test.ts to be exactly the set failing: a fix shows as a test
 * telling to remove its line, a regression as a new failure. The runtime fixes belong to other
 * work (issue 13); this list is the measured state.
 */
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  "CARD-STRUCT-001 [CARD]":
    "without an A2A-Version header the card is served in the 0.3 shape (securitySchemes entries with 0.3 `type`), which is not a valid 1.0 AgentCard; serve the 1.0 card by default",
  "CARD-CACHE-001 [CARD]": "the card answers Cache-Control: no-cache; a max-age is expected",
  "CARD-CACHE-002 [CARD]": "the card has no ETag",
  "CARD-CACHE-003 [CARD]": "the card has no Last-Modified",
  "CORE-SEND-003 [JSONRPC]": "a part with an unsupported media type is accepted; ContentTypeNotSupportedError (-32005) is expected",
  "CORE-LIST-001 [JSONRPC]": "ListTasks ignores context_id (the original proto field name; only contextId is read) and answers every task",
  "CORE-LIST-002 [JSONRPC]": "ListTasks ignores context_id and page_size (original field names), so the page holds every task",
  "CORE-HIST-001 [JSONRPC]": "GetTask ignores history_length (original field name) and answers the full history",
  "CORE-HIST-002 [JSONRPC]": "GetTask ignores history_length (original field name) and answers the full history",
  "PUSH-CREATE-001 [JSONRPC]": "CreateTaskPushNotificationConfig refuses task_id (original field name) with -32602: params.taskId must be a non-empty string",
  "PUSH-CREATE-002 [JSONRPC]": "blocked: CreateTaskPushNotificationConfig refuses task_id (-32602)",
  "PUSH-GET-001 [JSONRPC]": "blocked: CreateTaskPushNotificationConfig refuses task_id (-32602)",
  "PUSH-LIST-001 [JSONRPC]": "blocked: CreateTaskPushNotificationConfig refuses task_id (-32602)",
  "PUSH-DEL-001 [JSONRPC]": "blocked: CreateTaskPushNotificationConfig refuses task_id (-32602)",
  "PUSH-DEL-002 [JSONRPC]": "blocked: CreateTaskPushNotificationConfig refuses task_id (-32602)",
};
