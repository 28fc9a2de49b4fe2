/**
 * Domains as people write them. Emails are `Name@Sub.Example.com`; Salesforce Account
 * websites come in every spelling (`https://www.acme.example/`, `www.acme.example`,
 * `acme.example`, `http://acme.example/about`), so both sides are normalised before they
 * are compared.
 */

/** The lower-case domain of an email address, or null when it has none. */
export function emailDomain(email: string | null | undefined): string | null {
  if (email === null || email === undefined) return null;
  const at = email.trim().lastIndexOf('@');
  if (at < 1) return null;
  const domain = email
    .trim()
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  return domain.includes('.') && !/[\s@/]/.test(domain) ? domain : null;
}

/** The lower-case host of a website without scheme, `www.`, port or path, or null. */
export function websiteDomain(website: string | null | undefined): string | null {
  if (website === null || website === undefined) return null;
  const host = website
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[/?#:].*$/, '')
    .replace(/\.$/, '')
    .replace(/^www\d*\./, '');
  return host.includes('.') && !/\s/.test(host) ? host : null;
}

/** True when `domain` is `entry` or one of its subdomains (`eu.acme.example` matches `acme.example`). */
export function domainMatches(domain: string, entry: string): boolean {
  const d = domain.toLowerCase();
  const e = entry.toLowerCase().replace(/^\*?\./, '');
  return d === e || d.endsWith(`.${e}`);
}

/** How a rep is named in explanations: the local part of their email (`dana.kowalski`). */
export function repName(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}
