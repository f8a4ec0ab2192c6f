// Terminal output as plain text, for Copy: CSI sequences (colours, cursor moves) and OSC sequences
// (titles, OSC 8 links) removed. ECMA-48 §5.4 (CSI) and §5.6 (OSC, ended by BEL or ST).

// eslint-disable-next-line no-control-regex
const SEQUENCES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export const stripAnsi = (text: string): string => text.replace(SEQUENCES, '');
