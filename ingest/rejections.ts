/** The closed list of reasons a message is set aside (dead-lettered) instead of ingested. */
export const REJECTION_CODES = {
  'missing-key': 'the message has no key; keys are <bodyId>:<documentId>',
  'bad-key': 'the key is not <bodyId>:<documentId>',
  'malformed-json': 'the value is not valid JSON',
  'schema-violation': 'the value breaks the message contract',
  'lines-do-not-sum': 'the lines do not sum exactly to the document total',
  'unregistered-body': 'the body is not in the opt-in register (spend bodies add)',
  'key-mismatch': 'the key does not match the bodyId and document id inside the value',
  'body-topic-mismatch':
    "the document's body is not the body whose own topic it came on (per-body topics: a body writes only its own data)",
  'undecodable-batch': 'the record batch could not be decompressed or decoded',
} as const;

export type RejectionCode = keyof typeof REJECTION_CODES;
