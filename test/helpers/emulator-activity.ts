/**
 * A message (or other) activity as the Bot Framework Emulator sends it, asking for the
 * replies in the response (`expectReplies`). Shared by the tests and the benchmarks; it
 * imports nothing, so the benchmark does not load the test harness.
 */
export function emulatorActivity(conversationId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    conversation: { id: conversationId },
    from: { id: `user-${conversationId}`, name: 'Borger' },
    recipient: { id: 'bot', name: 'MitID-hjælperen' },
    locale: 'da-DK',
    ...fields,
  };
}
