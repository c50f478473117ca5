// RFC 8785 (JCS) form of a signed command, { payload, publicKey, signature }, assembled from the
// payload's canonical form that signature verification already computed: the members in
// code-unit order ("payload" < "publicKey" < "signature") and each string as JSON.stringify
// writes it, which is JCS's string form. Equal to canonicalJson(command) for every command that
// has exactly these three members (the schema allows no others).

/** canonicalJson({ payload, publicKey, signature }), given canonicalJson(payload). */
export function canonicalSignedCommand(
  payloadJson: string,
  publicKey: string,
  signature: string
): string {
  return `{"payload":${payloadJson},"publicKey":${JSON.stringify(publicKey)},"signature":${JSON.stringify(signature)}}`;
}
