/**
 * Links to the documentation in the CLI's messages. One base, so every link moves together; a test
 * checks that each anchor is a heading of the page it names.
 */

/** The docs folder of the repository, as a browsable URL. */
export const DOCS_BASE_URL = "https://github.com/mcpgate/mcpgate/blob/main/docs/";

/** What to do about a leaked key: regenerate it now, then clean up (docs/key-rotation.md). */
export const LEAK_RESPONSE_URL = `${DOCS_BASE_URL}key-rotation.md#leak-response`;
