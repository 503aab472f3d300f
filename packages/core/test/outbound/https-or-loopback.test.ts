import { describe, expect, it } from 'vitest';
import { isAllowedFetchUrl, isHttpsOrLoopback, isLoopback } from '../../src/outbound/https-or-loopback.js';

describe('isLoopback', () => {
  it('accepts localhost, [::1] and every 127.x.x.x literal', () => {
    for (const host of ['localhost', '[::1]', '127.0.0.1', '127.0.0.2', '127.255.255.255', '127.1.2.3']) expect(isLoopback(host), host).toBe(true);
  });

  it('refuses other hosts, including look-alikes', () => {
    for (const host of ['', 'example.com', 'localhost.example.com', 'mylocalhost', '127.0.0.1.nip.io', '128.0.0.1', '0.0.0.0', '10.0.0.1', '::1', '[::2]', '[::ffff:127.0.0.1]', '1127.0.0.1']) {
      expect(isLoopback(host), host).toBe(false);
    }
  });

  it('sees hostnames as URL spells them: shorthand IPv4 forms are normalised to 127.x first', () => {
    for (const spelled of ['http://127.1/', 'http://0x7f000001/', 'http://LOCALHOST/', 'http://[0:0:0:0:0:0:0:1]/']) {
      expect(isLoopback(new URL(spelled).hostname), spelled).toBe(true);
    }
  });
});

describe('isHttpsOrLoopback', () => {
  it('allows https anywhere', () => {
    expect(isHttpsOrLoopback(new URL('https://sts.amazonaws.com'))).toBe(true);
    expect(isHttpsOrLoopback(new URL('https://127.0.0.1:8443/'))).toBe(true);
  });

  it('allows plain http only to a loopback address', () => {
    for (const url of ['http://127.0.0.1:4566', 'http://[::1]:1', 'http://localhost:1234/', 'http://127.0.0.2:9']) expect(isHttpsOrLoopback(new URL(url)), url).toBe(true);
    for (const url of ['http://sts.amazonaws.com', 'http://10.0.0.1', 'http://localhost.example.com', 'http://[::2]/']) expect(isHttpsOrLoopback(new URL(url)), url).toBe(false);
  });

  it('refuses every other scheme, loopback or not', () => {
    for (const url of ['ftp://localhost/', 'ws://127.0.0.1/', 'file:///etc/passwd', 'data:text/plain,x']) expect(isHttpsOrLoopback(new URL(url)), url).toBe(false);
  });
});

describe('isAllowedFetchUrl', () => {
  it('is the same rule, and refuses credentials in the URL', () => {
    expect(isAllowedFetchUrl(new URL('https://issuer.example/.well-known/jwks.json'))).toBe(true);
    expect(isAllowedFetchUrl(new URL('http://[::1]:8080/.well-known/jwks.json'))).toBe(true);
    expect(isAllowedFetchUrl(new URL('http://issuer.example/.well-known/jwks.json'))).toBe(false);
    expect(isAllowedFetchUrl(new URL('https://user@issuer.example/'))).toBe(false);
    expect(isAllowedFetchUrl(new URL('https://:secret@issuer.example/'))).toBe(false);
    expect(isAllowedFetchUrl(new URL('http://user:pass@127.0.0.1/'))).toBe(false);
  });
});
