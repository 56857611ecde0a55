// URL checks shared by the settings that name servers (a Hugging Face mirror, provider base URLs).

/** True for this machine's names: localhost, 127.0.0.0/8 and ::1 (a hostname as URL.hostname gives it). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The URL, or a sentence saying why `value` is not an absolute URL. */
export function parseAbsoluteUrl(value: string): URL | string {
  try {
    return new URL(value);
  } catch {
    return `"${value}" is not an absolute URL`;
  }
}
