// Addresses, phone numbers and secrets are personal data: shown masked until an operator asks to
// reveal them. Every function here is a single forward scan, linear in the input, because job data
// comes from any holder of a service key: a regex with nested quantifiers over a 60,000-character
// string froze the whole admin (issue 10, finding 1). Pure, so the browser bundle can use it too.

const MAX_STARS = 6;

function isLocalChar(c: number): boolean {
  // A-Z a-z 0-9 . _ % + -
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45
  );
}

function isDomainChar(c: number): boolean {
  // A-Z a-z 0-9 . -
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isPhoneFiller(c: number): boolean {
  // Spaces and dashes between digits; the same characters `\s` and `-` match.
  if (c === 45 || c === 32 || (c >= 9 && c <= 13)) return true;
  return c > 127 && /\s/.test(String.fromCharCode(c));
}

/**
 * End of the domain that starts at `from`: the longest run of domain characters that ends in a
 * dot and at least two letters, or -1. Each character is looked at once.
 */
function domainEnd(text: string, from: number): number {
  let end = -1;
  let i = from;
  while (i < text.length && isDomainChar(text.charCodeAt(i))) {
    if (text.charCodeAt(i) === 46 && i > from) {
      let j = i + 1;
      while (j < text.length && isLetter(text.charCodeAt(j))) j++;
      if (j - i - 1 >= 2) end = j;
      i = j;
    } else {
      i++;
    }
  }
  return end;
}

/** `ann.lee@example.com` -> `a******@example.com`. */
function maskEmails(text: string): string {
  let out = "";
  let done = 0;
  let at = text.indexOf("@");
  while (at !== -1) {
    let start = at;
    while (start > done && isLocalChar(text.charCodeAt(start - 1))) start--;
    const end = start < at ? domainEnd(text, at + 1) : -1;
    if (end === -1) {
      at = text.indexOf("@", at + 1);
      continue;
    }
    const hidden = Math.min(at - start - 1, MAX_STARS);
    out += `${text.slice(done, start)}${text[start]}${"*".repeat(hidden)}@${text.slice(at + 1, end)}`;
    done = end;
    at = text.indexOf("@", end);
  }
  return done === 0 ? text : out + text.slice(done);
}

/** `+91 98765 43210` -> `+91*******10`: a run of at least 8 digits (with spaces or dashes). */
function maskPhones(text: string): string {
  let out = "";
  let done = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const plus = c === 43 && isDigit(text.charCodeAt(i + 1));
    if (!plus && !isDigit(c)) {
      i++;
      continue;
    }
    const first = plus ? i + 1 : i;
    let lastDigit = first;
    let j = first + 1;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (isDigit(d)) lastDigit = j;
      else if (!isPhoneFiller(d)) break;
      j++;
    }
    // Kept characters: the optional + and the digits; only the first three and last two show.
    let count = 0;
    let head = "";
    let beforeLast = -1;
    let last = -1;
    for (let k = i; k <= lastDigit; k++) {
      if (isPhoneFiller(text.charCodeAt(k))) continue;
      if (count < 3) head += text[k];
      beforeLast = last;
      last = k;
      count++;
    }
    // Any later start inside this run reaches the same last digit with fewer characters, so the
    // run is decided here once.
    if (lastDigit - first + 1 >= 8 && count >= 8) {
      out += `${text.slice(done, i)}${head}${"*".repeat(count - 5)}${text[beforeLast]}${text[last]}`;
      done = lastDigit + 1;
    }
    i = Math.max(j, i + 1);
  }
  return done === 0 ? text : out + text.slice(done);
}

export function maskText(text: string): string {
  return maskPhones(maskEmails(text));
}

/** Words of a field name, whatever its case style: `otpCode`, `OTP_CODE`, `otp-code` -> otp, code. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const SECRET_WORDS = new Set([
  "otp",
  "code",
  "passcode",
  "password",
  "passwd",
  "pwd",
  "token",
  "secret",
  "pin",
  "cvv",
  "apikey",
]);

/** Field names whose values are secrets (one-time codes, passwords, tokens): hidden, not just masked. */
export function isSecretField(name: string): boolean {
  if (name.length > 200) return false;
  const parts = words(name);
  if (parts.some((w) => SECRET_WORDS.has(w))) return true;
  // api_key, apiKey, x-api-key
  return parts.some((w, i) => w === "key" && (parts[i - 1] === "api" || parts[i - 1] === "secret"));
}

export const HIDDEN_VALUE = "•••••• (hidden until Reveal)";
