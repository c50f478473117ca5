// The signed command's RFC 8785 text now comes from @yishi/crypto's one canonical-JSON module;
// this name stays for the command pipeline's import.
export { canonicalSignedCommandJson as canonicalSignedCommand } from '@yishi/crypto';
